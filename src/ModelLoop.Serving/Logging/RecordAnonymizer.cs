using System.Text.Json;
using ModelLoop.Data.Anonymization;
using ModelLoop.Data.Readers;

namespace ModelLoop.Serving.Logging;

/// <summary>
/// Masks personal data in one JSON record with the data stage's <see cref="Anonymizer"/> (e-mail addresses, phone
/// numbers, card numbers… inside any string become tags such as [EMAIL]; every value of a column whose name has the
/// word "name" becomes [NAME]). Values it finds nothing in are kept as sent, numbers as numbers.
/// </summary>
internal static class RecordAnonymizer
{
    private static readonly Anonymizer Masker = new(new AnonymizationOptions { Action = PiiAction.Mask });

    /// <summary>The record's JSON with personal data masked; a value that is not an object is returned as sent.</summary>
    public static string Anonymize(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
            return record.GetRawText();
        var properties = record.EnumerateObject().ToArray();
        var columns = properties.Select(p => p.Name).ToArray();
        var cells = properties.Select(p => Cell(p.Value)).ToArray();
        var (masked, _) = Masker.Anonymize(new RawTable(columns, [cells]));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < properties.Length; i++)
            {
                writer.WritePropertyName(properties[i].Name);
                if (masked.Rows[0][i] is { } cell && cell != cells[i])
                    writer.WriteStringValue(cell);
                else
                    properties[i].Value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    // The table's cells are text: strings as they are, numbers and booleans as written, null as missing. Nested
    // values are scanned as their JSON text.
    private static string? Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}
