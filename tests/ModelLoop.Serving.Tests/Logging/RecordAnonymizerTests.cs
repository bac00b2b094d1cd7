using System.Text.Json;
using ModelLoop.Serving.Logging;

namespace ModelLoop.Serving.Tests.Logging;

public sealed class RecordAnonymizerTests
{
    [Fact]
    public void PersonalDataInARecordIsMaskedAndEverythingElseKeptAsSent()
    {
        using var record = JsonDocument.Parse("""{ "customer_name": "Ada Lovelace", "note": "mail ada@example.com today", "age": 36, "city": "London", "vip": true, "missing": null }""");

        var anonymized = JsonDocument.Parse(RecordAnonymizer.Anonymize(record.RootElement)).RootElement;

        Assert.Equal("[NAME]", anonymized.GetProperty("customer_name").GetString());
        Assert.Equal("mail [EMAIL] today", anonymized.GetProperty("note").GetString());
        Assert.Equal(36, anonymized.GetProperty("age").GetInt32());
        Assert.Equal("London", anonymized.GetProperty("city").GetString());
        Assert.True(anonymized.GetProperty("vip").GetBoolean());
        Assert.Equal(JsonValueKind.Null, anonymized.GetProperty("missing").ValueKind);
    }
}
