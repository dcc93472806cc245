namespace CertDaemon.Dns;

/// <summary>
/// Writes the CNAME records a certificate authority that validates by DNS (ACM) asks for into the zones that hold
/// the names, through the DNS account given (the certificate's zone override and role).
/// </summary>
/// <remarks>
/// Contract: idempotent (an upsert; a record already in place is not written again, and a name with its wildcard
/// sharing one record is written once). It never removes a record and touches no record it was not given: the
/// records stay for the authority's later revalidations. A name that no usable zone holds fails the whole call
/// before anything of that zone is written; an error of the DNS provider is thrown as it came.
/// </remarks>
internal interface IValidationRecordWriter
{
    /// <param name="records">Record name (fully qualified) and CNAME target.</param>
    /// <param name="hostedZoneId">The certificate's zone override, or null to find each name's zone.</param>
    /// <param name="roleArn">The role to assume for DNS writes, if any.</param>
    /// <param name="externalId">The role's external id, if any.</param>
    /// <param name="cancellationToken">Stops the writes.</param>
    /// <returns>Per zone written: the zone name, the change id and the record names; zones whose records were all in place are absent.</returns>
    Task<IReadOnlyList<(string Zone, string ChangeId, IReadOnlyList<string> Names)>> WriteAsync(
        IReadOnlyList<(string Name, string Value)> records, string? hostedZoneId, string? roleArn, string? externalId, CancellationToken cancellationToken);
}
