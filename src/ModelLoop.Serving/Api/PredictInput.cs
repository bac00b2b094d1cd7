using System.Globalization;
using System.Text.Json;
using ModelLoop.Modeling;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Turns a predict body into the model's flattened input (items × elements), checking everything a
/// client can get wrong. Accepted bodies (one of):
/// <code>
/// { "inputs": [[5.1, 3.5, 1.4, 0.2], …] }      items as flat or nested arrays in the input shape
/// { "input": [5.1, 3.5, 1.4, 0.2] }            one item
/// { "records": [{ "sepal_length": 5.1, … }] }  named features (models whose input schema names them)
/// { "record": { … } }                          one record
/// { "images": ["base64…"] } / { "image": "…" } a PNG/JPEG/… file of the model's H×W, or raw 8-bit
///                                              pixels (C×H×W bytes); either is scaled to [0, 1]
/// </code>
/// Any of them may add <c>"returnOutputs": true</c> to get each item's raw outputs too (read by PredictApi).
/// Raw items then go through the model's preprocessing (e.g. an image pipeline's normalization). A model
/// with a fitted data-stage pipeline (<see cref="ServableModel.RecordEncoder"/>) reads only records, whose
/// values may be strings, numbers or null (missing); the pipeline turns each into the model's input.
/// </summary>
internal static class PredictInput
{
    /// <summary>The members a predict body may have: one of the item formats, and "returnOutputs".</summary>
    public static readonly string[] Fields = ["inputs", "input", "records", "record", "images", "image", "returnOutputs"];

    public static ParsedInput Parse(JsonElement body, ServableModel model, int maxItems)
    {
        var schema = model.Schema;
        if (body.ValueKind != JsonValueKind.Object)
            throw new BadInputException($"The body must be a JSON object such as {Example(schema)}; received a JSON {body.ValueKind.ToString().ToLowerInvariant()}.");
        JsonFields.RequireKnown(body, Fields, "a predict body");
        var formats = body.EnumerateObject().Select(p => p.Name).Where(n => n != "returnOutputs").ToList();
        if (formats.Count > 1)
            throw new BadInputException($"The body has both \"{formats[0]}\" and \"{formats[1]}\"; send the items in one of them only, e.g. {Example(schema)}.");
        if (model.RecordEncoder is { } encoder)
            return Encoded(body, schema, encoder, maxItems);
        var items = new List<float[]>();
        List<JsonElement>? records = null;
        var format = InputFormat.Tensor;
        if (body.TryGetProperty("inputs", out var inputs))
            Each(inputs, "inputs", maxItems, (item, path) => items.Add(Tensor(item, path, schema)));
        else if (body.TryGetProperty("input", out var input))
            items.Add(Tensor(input, "input", schema));
        else if (body.TryGetProperty("records", out var many))
        {
            format = InputFormat.Record;
            records = Records(many, "records", maxItems, item => items.Add(Record(item.Element, item.Path, schema)));
        }
        else if (body.TryGetProperty("record", out var record))
        {
            format = InputFormat.Record;
            items.Add(Record(record, "record", schema));
            records = [record];
        }
        else if (body.TryGetProperty("images", out var images))
        {
            format = InputFormat.Image;
            Each(images, "images", maxItems, (item, path) => items.Add(Image(item, path, schema)));
        }
        else if (body.TryGetProperty("image", out var image))
        {
            format = InputFormat.Image;
            items.Add(Image(image, "image", schema));
        }
        else
            throw new BadInputException($"The body has none of \"inputs\", \"input\", \"records\", \"record\", \"images\", \"image\". Send e.g. {Example(schema)}.");

        var elements = (int)schema.Elements;
        var values = new float[items.Count * elements];
        for (var i = 0; i < items.Count; i++)
        {
            var item = model.Preprocess is { } preprocess ? preprocess(items[i]) : items[i];
            item.CopyTo(values, i * elements);
        }
        return new ParsedInput(values, items.Count, format, items, records);
    }

    // A model with a fitted pipeline reads raw rows only: numbers sent as "inputs" would skip the pipeline
    // and be predicted on silently wrong, so they are refused.
    private static ParsedInput Encoded(JsonElement body, InputSchema schema, Func<JsonElement, float[]> encoder, int maxItems)
    {
        var items = new List<float[]>();
        List<JsonElement> records;
        if (body.TryGetProperty("records", out var many))
            records = Records(many, "records", maxItems, item => items.Add(Encode(item.Element, item.Path, schema, encoder)));
        else if (body.TryGetProperty("record", out var record))
        {
            items.Add(Encode(record, "record", schema, encoder));
            records = [record];
        }
        else
            throw new BadInputException($"This model preprocesses raw rows on the server, so it reads only \"records\" (or one \"record\"): objects of column → value (string, number, or null when missing) with the columns {string.Join(", ", schema.FeatureNames ?? [])}. Send e.g. {Example(schema)}.");
        var elements = (int)schema.Elements;
        var values = new float[items.Count * elements];
        for (var i = 0; i < items.Count; i++)
            items[i].CopyTo(values, i * elements);
        return new ParsedInput(values, items.Count, InputFormat.Record, items, records);
    }

    // Parses every record of an array and keeps the records (the prediction log stores them as sent).
    private static List<JsonElement> Records(JsonElement array, string name, int maxItems, Action<(JsonElement Element, string Path)> parse)
    {
        var records = new List<JsonElement>();
        Each(array, name, maxItems, (item, path) =>
        {
            parse((item, path));
            records.Add(item);
        });
        return records;
    }

    private static float[] Encode(JsonElement item, string path, InputSchema schema, Func<JsonElement, float[]> encoder)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new BadInputException($"{path} must be an object of column → value (string, number, or null when missing); received {Describe(item)}.");
        float[] values;
        try
        {
            values = encoder(item);
        }
        catch (FormatException e)
        {
            throw new BadInputException($"{path}: {e.Message}");
        }
        if (values.Length != schema.Elements)
            throw new InvalidOperationException($"The model's preprocessing produced {values.Length} values for {path}; the model takes {schema.Elements}. The artifact's pipeline and model do not match: register a consistent artifact.");
        for (var i = 0; i < values.Length; i++)
            CheckTokenId(values[i], $"{path} (encoded value {i})", schema);
        return values;
    }

    private static void Each(JsonElement array, string name, int maxItems, Action<JsonElement, string> parse)
    {
        if (array.ValueKind != JsonValueKind.Array)
            throw new BadInputException($"\"{name}\" must be an array of items; received a JSON {array.ValueKind.ToString().ToLowerInvariant()}.");
        var count = array.GetArrayLength();
        if (count == 0)
            throw new BadInputException($"\"{name}\" is empty; send at least one item.");
        if (count > maxItems)
            throw new BadInputException($"\"{name}\" holds {count} items; one request may hold at most {maxItems}. Split it into several requests.");
        var index = 0;
        foreach (var item in array.EnumerateArray())
            parse(item, $"{name}[{index++}]");
    }

    private static float[] Tensor(JsonElement item, string path, InputSchema schema)
    {
        var values = new List<float>((int)schema.Elements);
        var flat = item.ValueKind == JsonValueKind.Array && item.EnumerateArray().All(v => v.ValueKind != JsonValueKind.Array);
        if (flat)
        {
            foreach (var v in item.EnumerateArray())
                values.Add(Number(v, $"{path}[{values.Count}]", schema));
        }
        else
            Nested(item, path, schema, 0, values);
        if (values.Count != schema.Elements)
            throw new BadInputException($"{path} has {values.Count} values; this model takes {schema.Elements} per item (shape {ShapeText(schema)}), as a flat array or nested in that shape.");
        return values.ToArray();
    }

    private static void Nested(JsonElement node, string path, InputSchema schema, int depth, List<float> values)
    {
        if (depth == schema.Shape.Length)
        {
            values.Add(Number(node, path, schema));
            return;
        }
        if (node.ValueKind != JsonValueKind.Array || node.GetArrayLength() != schema.Shape[depth])
            throw new BadInputException($"{path} should be an array of {schema.Shape[depth]} (dimension {depth} of the input shape {ShapeText(schema)}); received {Describe(node)}.");
        var index = 0;
        foreach (var child in node.EnumerateArray())
            Nested(child, $"{path}[{index++}]", schema, depth + 1, values);
    }

    private static float[] Record(JsonElement item, string path, InputSchema schema)
    {
        if (schema.FeatureNames is not { } names)
            throw new BadInputException($"This model has no feature names, so it cannot read records; send \"inputs\" as arrays of {schema.Elements} numbers (shape {ShapeText(schema)}).");
        if (item.ValueKind != JsonValueKind.Object)
            throw new BadInputException($"{path} must be an object of feature → number; received {Describe(item)}.");
        var values = new float[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            if (!item.TryGetProperty(names[i], out var value))
                throw new BadInputException($"{path} lacks feature \"{names[i]}\"; each record needs all of: {string.Join(", ", names)}.");
            values[i] = Number(value, $"{path}.{names[i]}", schema);
        }
        var unknown = item.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !names.Contains(n));
        if (unknown is not null)
            throw new BadInputException($"{path} has feature \"{unknown}\", which this model does not know; its features are: {string.Join(", ", names)}.");
        return values;
    }

    private static float[] Image(JsonElement item, string path, InputSchema schema)
    {
        if (item.ValueKind != JsonValueKind.String || !item.TryGetBytesFromBase64(out var bytes))
            throw new BadInputException($"{path} must be a base64 string of an image file (PNG, JPEG…) or of raw 8-bit pixels ({schema.Elements} bytes for shape {ShapeText(schema)}); received {Describe(item)}.");
        if (bytes.Length == schema.Elements)
            return bytes.Select(b => b / 255f).ToArray(); // raw pixels, channels first
        return ImageDecoder.Decode(bytes, path, schema.Shape);
    }

    private static float Number(JsonElement value, string path, InputSchema schema)
    {
        if (value.ValueKind != JsonValueKind.Number)
            throw new BadInputException($"{path} is {Describe(value)}; expected a number (NaN and infinity are not accepted: send finite values).");
        var number = value.GetDouble();
        var single = (float)number;
        if (!float.IsFinite(single))
            throw new BadInputException($"{path} is {value.GetRawText()}, which is not a finite 32-bit number; send values within ±3.4e38.");
        if (schema.Kind == InputKind.TokenIds && (single != Math.Floor(single) || single < 0))
            throw new BadInputException($"{path} is {value.GetRawText()}; this model takes token ids, which are whole numbers ≥ 0.");
        CheckTokenId(single, path, schema);
        return single;
    }

    // An id outside the vocabulary would throw inside the batched forward pass and fail every request of the batch.
    private static void CheckTokenId(float id, string path, InputSchema schema)
    {
        if (schema is { Kind: InputKind.TokenIds, VocabularySize: { } vocabulary } && id >= vocabulary)
            throw new BadInputException($"{path} is the token id {id.ToString(CultureInfo.InvariantCulture)}, outside this model's vocabulary of {vocabulary}; send ids from 0 to {vocabulary - 1} (encode text with the model's own tokenizer).");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => $"an array of {value.GetArrayLength()}",
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => $"the number {value.GetRawText()}",
    };

    private static string Truncate(string text) => text.Length <= 24 ? text : text[..24] + "…";

    private static string ShapeText(InputSchema schema) => "(" + string.Join(", ", schema.Shape) + ")";

    /// <summary>A body this model accepts, for error messages.</summary>
    public static string Example(InputSchema schema) => schema is { RawRecords: true, FeatureNames: { Count: > 0 } columns }
        ? "{ \"records\": [{ " + string.Join(", ", columns.Take(3).Select(n => $"\"{n}\": …")) + (columns.Count > 3 ? ", …" : "") + " }] }  (values: strings, numbers, or null when missing)"
        : schema.FeatureNames is { Count: > 0 } names
        ? "{ \"records\": [{ " + string.Join(", ", names.Take(3).Select(n => $"\"{n}\": 0.0")) + (names.Count > 3 ? ", …" : "") + " }] }"
        : schema.Elements <= 8
            ? "{ \"inputs\": [[" + string.Join(", ", Enumerable.Repeat("0.0", (int)schema.Elements)) + "]] }"
            : $"{{ \"inputs\": [[…{schema.Elements.ToString(CultureInfo.InvariantCulture)} numbers…]] }}";
}
