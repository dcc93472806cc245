namespace CertDaemon.Permissions;

/// <summary>What <c>certdaemon iam-policy</c> prints.</summary>
/// <param name="Json">The IAM policy document (indented JSON): print it on stdout so it can be piped into <c>aws iam put-role-policy</c>.</param>
/// <param name="Notes">
/// Things the JSON cannot say (IAM policies have no comments): who needs which statement when roles are assumed,
/// what a discovered-zone wildcard covers, CNAME-delegated challenges. One sentence each; print them on stderr.
/// </param>
internal sealed record IamPolicy(string Json, IReadOnlyList<string> Notes);
