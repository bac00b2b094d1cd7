using System.Globalization;
using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Reads a feedback body (<see cref="Contracts.FeedbackRequest"/>) and checks it against the logged request it names:
/// every mistake is a <see cref="BadInputException"/> naming the field, what was received and what to send.
/// </summary>
internal static class FeedbackInput
{
    public const string Example = "{ \"requestId\": \"<the requestId of a predict response>\", \"item\": 0, \"label\": \"<a class name>\" }";

    private static readonly string[] Fields = ["requestId", "item", "label", "correct", "score"];

    /// <summary>The body's fields, type-checked (the label's value is checked by <see cref="Resolve"/>, which knows the model).</summary>
    public sealed record Body(string RequestId, int? Item, JsonElement? Label, bool? Correct, double? Score);

    public static Body Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new BadInputException($"The body must be a JSON object such as {Example}; received a JSON {body.ValueKind.ToString().ToLowerInvariant()}.");
        JsonFields.RequireKnown(body, Fields, "a feedback body");
        if (!body.TryGetProperty("requestId", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(id.GetString()))
            throw new BadInputException($"\"requestId\" must be the requestId string of a predict response (also its X-Request-Id header); received {Received(body, "requestId")}.");
        int? item = null;
        if (Present(body, "item", out var itemValue))
        {
            if (itemValue.ValueKind != JsonValueKind.Number || !itemValue.TryGetInt32(out var index) || index < 0)
                throw new BadInputException($"\"item\" must be the item's index in its request, a whole number ≥ 0; received {itemValue.GetRawText()}.");
            item = index;
        }
        bool? correct = null;
        if (Present(body, "correct", out var flag))
        {
            if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw new BadInputException($"\"correct\" must be true or false (was the prediction right?); received {flag.GetRawText()}.");
            correct = flag.GetBoolean();
        }
        double? score = null;
        if (Present(body, "score", out var scoreValue))
        {
            if (scoreValue.ValueKind != JsonValueKind.Number || !double.IsFinite(scoreValue.GetDouble()))
                throw new BadInputException($"\"score\" must be a finite number; received {scoreValue.GetRawText()}.");
            score = scoreValue.GetDouble();
        }
        JsonElement? label = Present(body, "label", out var labelValue) ? labelValue : null;
        if (label is null && correct is null && score is null)
            throw new BadInputException($"The feedback says nothing: give at least one of \"label\" (the true answer), \"correct\" (true or false) or \"score\" (a number). Send e.g. {Example}.");
        return new Body(id.GetString()!, item, label, correct, score);
    }

    /// <summary>
    /// The feedback for item <see cref="Body.Item"/> of <paramref name="request"/>: the item must exist (and be named
    /// when the request had several), the label must be one of the model's classes (a name or an index) or, for
    /// regression, one number per output.
    /// </summary>
    public static (int Item, ItemFeedback Feedback) Resolve(Body body, LoggedRequest request)
    {
        var item = body.Item ?? 0;
        if (body.Item is null && request.ItemCount > 1)
            throw new BadInputException($"\"item\" is missing: request '{request.RequestId}' predicted {request.ItemCount} items, so say which one (0…{request.ItemCount - 1}, in the order they were sent).");
        if (item >= request.ItemCount)
            throw new BadInputException($"\"item\" is {item} but request '{request.RequestId}' predicted {request.ItemCount} item{(request.ItemCount == 1 ? "" : "s")}; send an index from 0 to {request.ItemCount - 1}.");
        var info = request.Info;
        int? trueClass = null;
        double[]? values = null;
        if (body.Label is { } label)
        {
            if (info.Task == ModelTask.Classification)
                trueClass = Class(label, info);
            else
                values = Values(label, info);
        }
        return (item, new ItemFeedback { Class = trueClass, Values = values, Correct = body.Correct, Score = body.Score });
    }

    private static int Class(JsonElement label, LoggedModelInfo info)
    {
        var names = string.Join(", ", Enumerable.Range(0, info.ClassCount).Select(i => $"\"{info.Label(i)}\""));
        if (label.ValueKind == JsonValueKind.String)
        {
            return info.ClassOf(label.GetString()!)
                ?? throw new BadInputException($"\"label\" is \"{label.GetString()}\", which is not a class of this model; send one of {names}, or a class index 0…{info.ClassCount - 1}.");
        }
        if (label.ValueKind == JsonValueKind.Number)
        {
            if (!label.TryGetInt32(out var index) || index < 0 || index >= info.ClassCount)
                throw new BadInputException($"\"label\" is {label.GetRawText()}; a class index of this model is a whole number from 0 to {info.ClassCount - 1} (or send a class name: {names}).");
            return index;
        }
        throw new BadInputException($"\"label\" must be a class name ({names}) or a class index 0…{info.ClassCount - 1}; received {Describe(label)}.");
    }

    private static double[] Values(JsonElement label, LoggedModelInfo info)
    {
        var width = info.OutputWidth;
        var expected = width == 1 ? "a number (the true value)" : $"an array of {width} numbers, one per output ({string.Join(", ", Enumerable.Range(0, width).Select(i => info.OutputNames?[i] ?? "output" + i.ToString(CultureInfo.InvariantCulture)))})";
        if (label.ValueKind == JsonValueKind.Number && width == 1 && double.IsFinite(label.GetDouble()))
            return [label.GetDouble()];
        if (label.ValueKind == JsonValueKind.Array && label.GetArrayLength() == width
            && label.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number && double.IsFinite(v.GetDouble())))
            return label.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        throw new BadInputException($"\"label\" must be {expected} for this regression model; received {Describe(label)}.");
    }

    private static bool Present(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string Received(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) ? Describe(value) : "nothing (the field is missing)";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Array => $"an array of {value.GetArrayLength()}",
        JsonValueKind.Object => "an object",
        _ => value.GetRawText(),
    };
}
