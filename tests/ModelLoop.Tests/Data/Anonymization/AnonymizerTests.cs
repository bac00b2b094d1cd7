using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Readers;

namespace ModelLoop.Tests.Data.Anonymization;

public sealed class AnonymizerTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static RawTable Customers() => new(
        ["id", "first_name", "contact", "note", "amount"],
        [
            ["1", "Ada", "ada@example.com", "card 4111 1111 1111 1111 on file", "12.5"],
            ["2", "Alan", "+44 20 7946 0958", "from 192.168.0.17, SSN 123-45-6789", "1234567.25"],
            ["3", "Grace", "grace@example.org", "nothing here, order 2024-05-31", "7"],
        ]);

    [Theory]
    [InlineData("mail me: a.b-c@mail.example.co.uk!", PiiKind.Email, "a.b-c@mail.example.co.uk")]
    [InlineData("call +1 (555) 123-4567 now", PiiKind.Phone, "+1 (555) 123-4567")]
    [InlineData("host 10.0.0.255 down", PiiKind.IpAddress, "10.0.0.255")]
    [InlineData("v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up", PiiKind.IpAddress, "2001:0db8:85a3:0000:0000:8a2e:0370:7334")]
    [InlineData("pay 5500-0000-0000-0004 today", PiiKind.CreditCard, "5500-0000-0000-0004")]
    [InlineData("ssn 078-05-1120.", PiiKind.NationalId, "078-05-1120")]
    [InlineData("NI number AB 12 34 56 C", PiiKind.NationalId, "AB 12 34 56 C")]
    public void TheDetectorFindsEachKindAndExactlyItsSpan(string text, PiiKind kind, string expected)
    {
        var match = Assert.Single(PiiDetector.Find(text));

        Assert.Equal(kind, match.Kind);
        Assert.Equal(expected, text.Substring(match.Index, match.Length));
    }

    [Theory]
    [InlineData("card 4111 1111 1111 1112")]          // fails the Luhn check
    [InlineData("measured 1234567.25 mm on 2024-05-31")]
    [InlineData("version 1.2.3 and 999.1.1.1")]
    public void LookalikesThatAreNotPersonalDataAreNotReported(string text) =>
        Assert.Empty(PiiDetector.Find(text));

    [Fact]
    public void AnSsnWithAnAreaNumberNeverIssuedIsNotANationalId() =>
        Assert.DoesNotContain(PiiDetector.Find("ssn-like 000-12-3456 and 666-12-3456"), m => m.Kind == PiiKind.NationalId);

    [Fact]
    public void MaskingReplacesEachFindingWithItsTagAndTheReportSaysWhatWasFoundWhere()
    {
        var (table, report) = new Anonymizer().Anonymize(Customers());

        Assert.Equal("[NAME]", table.Rows[0][1]);
        Assert.Equal("[EMAIL]", table.Rows[0][2]);
        Assert.Equal("card [CREDITCARD] on file", table.Rows[0][3]);
        Assert.Equal("from [IPADDRESS], SSN [NATIONALID]", table.Rows[1][3]);
        Assert.Equal("[PHONE]", table.Rows[1][2]);
        Assert.Equal("nothing here, order 2024-05-31", table.Rows[2][3]);
        Assert.Equal("1234567.25", table.Rows[1][4]);
        Assert.Equal(new PiiFinding("contact", PiiKind.Email, 2, [0, 2]), report.Findings.Single(f => f.Kind == PiiKind.Email), new FindingComparer());
        Assert.Equal(3 + 3 + 3, report.Total);
        Assert.Contains("\"kind\": \"CreditCard\"", report.ToJson());
    }

    [Fact]
    public void PseudonymsAreStableUnderOneKeySoJoinsStillWorkAndDifferUnderAnother()
    {
        var anonymizer = new Anonymizer(new AnonymizationOptions { Action = PiiAction.Pseudonymize, Key = Key });
        var other = new Anonymizer(new AnonymizationOptions { Action = PiiAction.Pseudonymize, Key = Key.Reverse().ToArray() });

        var (table, _) = anonymizer.Anonymize(Customers());
        var (text, _) = anonymizer.AnonymizeText("reply to ada@example.com");

        Assert.StartsWith("pii_", table.Rows[0][2]);
        Assert.Equal($"reply to {table.Rows[0][2]}", text);
        Assert.NotEqual(anonymizer.Pseudonym("ada@example.com"), other.Pseudonym("ada@example.com"));
        Assert.DoesNotContain("ada", table.Rows[0][2]);
    }

    [Fact]
    public void DroppingRemovesEveryColumnWithFindingsAndKeepsTheRest()
    {
        var (table, report) = new Anonymizer(new AnonymizationOptions { Action = PiiAction.Drop }).Anonymize(Customers());

        Assert.Equal(["id", "amount"], table.Columns);
        Assert.Equal(["first_name", "contact", "note"], report.DroppedColumns);
    }

    [Fact]
    public void PseudonymizingWithoutAKeyIsRejectedWithWhatToDo()
    {
        var error = Assert.Throws<ArgumentException>(() => new Anonymizer(new AnonymizationOptions { Action = PiiAction.Pseudonymize }));

        Assert.Contains("at least 16 bytes", error.Message);
    }

    [Theory]
    [InlineData("first_name", true)]
    [InlineData("LastName", true)]
    [InlineData("customer name", true)]
    [InlineData("filename", false)]
    [InlineData("username", false)]
    public void ColumnsAreHintedAsNamesByTheWordName(string column, bool expected) =>
        Assert.Equal(expected, Anonymizer.IsNameHint(column));

    [Fact]
    public void KAnonymityReportsTheRarestCombinationOfQuasiIdentifiers()
    {
        var table = new RawTable(["age", "zip", "x"],
            [["30", "100", "a"], ["30", "100", "b"], ["30", "100", "c"], ["40", "200", "d"], ["40", "200", "e"], ["50", "100", "f"]]);

        var result = KAnonymity.Check(table, ["age", "zip"], k: 2);

        Assert.False(result.Satisfied);
        Assert.Equal(1, result.SmallestGroup);
        Assert.Equal((3, 1, 1), (result.Groups, result.GroupsBelowK, result.RowsBelowK));
        Assert.True(KAnonymity.Check(table, ["zip"], k: 2).Satisfied);
    }

    private sealed class FindingComparer : IEqualityComparer<PiiFinding>
    {
        public bool Equals(PiiFinding? a, PiiFinding? b) =>
            a is not null && b is not null && a.Column == b.Column && a.Kind == b.Kind && a.Count == b.Count && a.ExampleRows.SequenceEqual(b.ExampleRows);

        public int GetHashCode(PiiFinding f) => f.Count;
    }
}
