using CertDaemon.Aws.Route53;
using CertDaemon.Dns;
using CertDaemon.Dns.Route53;

namespace CertDaemon.Tests.Dns;

public sealed class TxtRecordSetMergeTests
{
    private const string Name = "_acme-challenge.example.test.";

    [Fact]
    public void Publish_puts_apex_and_wildcard_values_of_a_new_name_into_one_create()
    {
        var changes = TxtRecordSetMerge.Publish([], [new("_acme-challenge.example.test", "apex-value"), new("_acme-challenge.Example.Test.", "wildcard-value")]);

        // A CREATE, never an UPSERT: it fails if another writer created the set since we read the zone.
        var change = Assert.Single(changes);
        Assert.Equal(ChangeAction.Create, change.Action);
        Assert.Equal(Name, change.RecordSet.Name);
        Assert.Equal("TXT", change.RecordSet.Type);
        Assert.Equal(TxtRecordSetMerge.DefaultTtl, change.RecordSet.Ttl);
        Assert.Equal(["\"apex-value\"", "\"wildcard-value\""], change.RecordSet.Values);
    }

    [Fact]
    public void Publish_to_an_existing_set_deletes_it_exactly_as_read_and_creates_it_with_the_unrelated_value_its_ttl_and_ours()
    {
        var current = new ResourceRecordSet(Name, "TXT", 300, ["\"google-site-verification=abc\""]);

        var changes = TxtRecordSetMerge.Publish([current], [new(Name, "ours")]);

        // The DELETE is the compare: Route53 refuses the batch whole if the set is no longer exactly this.
        Assert.Equal([ChangeAction.Delete, ChangeAction.Create], changes.Select(c => c.Action));
        Assert.Same(current, changes[0].RecordSet);
        Assert.Equal(300, changes[1].RecordSet.Ttl);
        Assert.Equal(["\"google-site-verification=abc\"", "\"ours\""], changes[1].RecordSet.Values);
    }

    [Fact]
    public void Publish_of_values_already_there_changes_nothing_and_other_types_are_ignored()
    {
        var current = new ResourceRecordSet(Name, "TXT", 120, ["\"ours\""]);
        var cname = new ResourceRecordSet("_acme-challenge.other.test.", "CNAME", 300, ["x.test."]);

        Assert.Empty(TxtRecordSetMerge.Publish([current, cname], [new(Name, "ours")]));
    }

    [Fact]
    public void CleanUp_keeps_an_unrelated_value_by_swapping_the_set_for_the_rest_with_the_same_ttl()
    {
        var current = new ResourceRecordSet(Name, "TXT", 300, ["\"other\"", "\"ours\""]);

        var changes = TxtRecordSetMerge.CleanUp([current], [new(Name, "ours")]);

        Assert.Equal([ChangeAction.Delete, ChangeAction.Create], changes.Select(c => c.Action));
        Assert.Same(current, changes[0].RecordSet);
        Assert.Equal(300, changes[1].RecordSet.Ttl);
        Assert.Equal(["\"other\""], changes[1].RecordSet.Values);
    }

    [Fact]
    public void SplitIntoBatches_never_separates_a_delete_from_the_create_that_replaces_it()
    {
        // 99 CREATEs, then a swap: 99 + 2 changes would pass the limit of 100, so the whole swap starts the next batch.
        List<ResourceRecordSetChange> changes = [.. Enumerable.Range(0, 99).Select(i => new ResourceRecordSetChange(ChangeAction.Create, Set(i, 1)))];
        changes.AddRange(TxtRecordSetMerge.Publish([Set(99, 1)], [new(Set(99, 1).Name, "added")]));

        var batches = TxtRecordSetMerge.SplitIntoBatches(changes);

        Assert.Equal([99, 2], batches.Select(b => b.Changes.Count));
        Assert.Equal([ChangeAction.Delete, ChangeAction.Create], batches[1].Changes.Select(c => c.Action));
    }

    [Fact]
    public void CleanUp_when_only_ours_remain_deletes_with_exactly_the_current_ttl_and_values()
    {
        // Route53 spells the name with \052 and upper-case never; our record name arrives without the dot.
        var current = new ResourceRecordSet("_acme-challenge.\\052.example.test.", "TXT", 137, ["\"one\"", "\"two\""]);

        var change = Assert.Single(TxtRecordSetMerge.CleanUp([current], [new("_acme-challenge.*.example.test", "one"), new("_acme-challenge.*.example.test", "two")]));

        Assert.Equal(ChangeAction.Delete, change.Action);
        Assert.Same(current, change.RecordSet);
    }

    [Fact]
    public void CleanUp_of_values_already_gone_changes_nothing()
    {
        var current = new ResourceRecordSet(Name, "TXT", 60, ["\"someone-else\""]);

        Assert.Empty(TxtRecordSetMerge.CleanUp([current], [new(Name, "ours")]));
        Assert.Empty(TxtRecordSetMerge.CleanUp([], [new(Name, "ours")]));
    }

    [Fact]
    public void Quote_escapes_quotes_and_backslashes_and_splits_at_255_characters()
    {
        Assert.Equal("\"abc\"", TxtRecordSetMerge.Quote("abc"));
        Assert.Equal("\"a\\\"b\\\\c\"", TxtRecordSetMerge.Quote("a\"b\\c"));
        Assert.Equal("\"\"", TxtRecordSetMerge.Quote(""));

        var long600 = new string('x', 255) + new string('y', 255) + new string('z', 90);
        var quoted = TxtRecordSetMerge.Quote(long600);
        Assert.Equal($"\"{new string('x', 255)}\" \"{new string('y', 255)}\" \"{new string('z', 90)}\"", quoted);
        Assert.Equal(long600, TxtRecordSetMerge.Unquote(quoted));
    }

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("\"a\\\"b\\\\c\"", "a\"b\\c")]
    [InlineData("\"part1\" \"part2\"", "part1part2")]
    [InlineData("\"tab\\011here\"", "tab\there")]
    [InlineData("unquoted", "unquoted")]
    public void Unquote_reads_route53_wire_values(string wire, string plain) =>
        Assert.Equal(plain, TxtRecordSetMerge.Unquote(wire));

    [Theory]
    [InlineData("_ACME-Challenge.Example.TEST", "_acme-challenge.example.test.")]
    [InlineData("_acme-challenge.example.test.", "_acme-challenge.example.test.")]
    [InlineData("\\052.example.test.", "*.example.test.")]
    [InlineData("*.example.test", "*.example.test.")]
    public void Names_are_lowercased_get_the_dot_and_have_octal_escapes_decoded(string name, string normalized) =>
        Assert.Equal(normalized, DnsName.Normalize(name));

    [Fact]
    public void SplitIntoBatches_keeps_everything_in_one_batch_within_limits()
    {
        var changes = Upserts(50, valuesEach: 1);

        var batch = Assert.Single(TxtRecordSetMerge.SplitIntoBatches(changes, comment: "c"));
        Assert.Equal(50, batch.Changes.Count);
        Assert.Equal("c", batch.Comment);
    }

    [Fact]
    public void SplitIntoBatches_counts_an_upsert_twice_against_100_changes()
    {
        var batches = TxtRecordSetMerge.SplitIntoBatches(Upserts(51, valuesEach: 1));
        Assert.Equal([50, 1], batches.Select(b => b.Changes.Count));

        var deletes = Enumerable.Range(0, 101).Select(i => new ResourceRecordSetChange(ChangeAction.Delete, Set(i, 1))).ToList();
        Assert.Equal([100, 1], TxtRecordSetMerge.SplitIntoBatches(deletes).Select(b => b.Changes.Count));
    }

    [Fact]
    public void SplitIntoBatches_splits_at_1000_records_counting_upserts_twice()
    {
        // 10 values per UPSERT count as 20 records: 50 such changes fill 1000.
        var batches = TxtRecordSetMerge.SplitIntoBatches(Upserts(60, valuesEach: 10));

        Assert.Equal([50, 10], batches.Select(b => b.Changes.Count));
        Assert.All(batches, b => Assert.True(b.Changes.Sum(c => 2 * c.RecordSet.Values.Count) <= 1000));
    }

    [Fact]
    public void SplitIntoBatches_splits_at_32000_value_characters_counting_upserts_twice()
    {
        // One value of 3000 characters (12 quoted strings) counts 2 * 3000 + quoting per UPSERT: 5 fit, the 6th does not.
        var big = TxtRecordSetMerge.Quote(new string('v', 3000));
        var changes = Enumerable.Range(0, 7)
            .Select(i => new ResourceRecordSetChange(ChangeAction.Upsert, new ResourceRecordSet($"_acme-challenge.n{i}.test.", "TXT", 60, [big])))
            .ToList();

        var batches = TxtRecordSetMerge.SplitIntoBatches(changes);

        Assert.Equal([5, 2], batches.Select(b => b.Changes.Count));
        Assert.All(batches, b => Assert.True(b.Changes.Sum(c => 2 * c.RecordSet.Values.Sum(v => v.Length)) <= 32000));
    }

    private static List<ResourceRecordSetChange> Upserts(int count, int valuesEach) =>
        [.. Enumerable.Range(0, count).Select(i => new ResourceRecordSetChange(ChangeAction.Upsert, Set(i, valuesEach)))];

    private static ResourceRecordSet Set(int i, int valuesEach) =>
        new($"_acme-challenge.n{i}.test.", "TXT", 60, [.. Enumerable.Range(0, valuesEach).Select(v => $"\"value-{i}-{v}\"")]);
}
