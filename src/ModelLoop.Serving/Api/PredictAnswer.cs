using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelLoop.Contracts;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Turns a computed request into the answer it gets, before anything is billed: the response body, or a problem when the
/// items give no answer that can be sent. A request is metered only once its answer is built, so no request is billed
/// for an error. Non-finite outputs (NaN, ±∞: JSON has no number for them) are a 422 naming the items, not billed;
/// a forward pass that throws for the request's own items is a 422 when the model computed other items meanwhile
/// (the items are the cause), else a 500 (the model itself fails); neither is billed.
/// </summary>
internal static class PredictAnswer
{
    /// <summary>The response for <paramref name="outcome"/>, or a 422 naming the items whose outputs are not finite.</summary>
    public static (PredictResponse? Response, ProblemHttpResult? Problem) Build(string name, ServableModel model, PredictOutcome outcome, bool raw)
    {
        var width = (int)Math.Max(1, model.OutputShape.Aggregate(1L, (a, b) => a * b));
        var count = outcome.Outputs.Length / width;
        var items = new ItemPrediction[count];
        List<int>? nonFinite = null;
        for (var i = 0; i < count; i++)
        {
            var row = outcome.Outputs.AsSpan(i * width, width);
            var item = AllFinite(row) ? model.Package.Decode(row) : null;
            if (item is null || !Finite(item))
            {
                (nonFinite ??= []).Add(i);
                continue;
            }
            items[i] = raw ? item with { Outputs = row.ToArray() } : item;
        }
        if (nonFinite is not null)
            return (null, Problems.Unprocessable($"The model's outputs for item(s) {Items(nonFinite)} are not finite numbers (NaN or infinity), which have no answer to send; the request was not billed. " +
                "Such outputs come from inputs far outside what the model was trained on: send values in the range of its training data."));
        return (new PredictResponse(name, outcome.Version, items), null);
    }

    /// <summary>The answer to a request whose items the model could not compute (see <see cref="ItemsFailedException"/>).</summary>
    public static ProblemHttpResult Failed(HttpContext context, ItemsFailedException failure)
    {
        var which = failure.Items.Count == 0 ? "the request's items together" : $"item(s) {Items(failure.Items)}";
        if (failure.OthersSucceeded)
        {
            var id = Problems.Logged(context, failure, StatusCodes.Status422UnprocessableEntity);
            return Problems.Unprocessable($"The model failed on {which} of this request while it computed other items; the request was not billed. " +
                $"Check those items against the model's input (GET /v1/models/{{name}} describes it); the server log has the error under request id {id}.");
        }
        return Problems.ServerError(context, $"The model failed on {which} of this request; the request was not billed. Retry later; if it persists, tell the operator.", failure);
    }

    private static bool AllFinite(ReadOnlySpan<float> row)
    {
        foreach (var v in row)
        {
            if (!float.IsFinite(v))
                return false;
        }
        return true;
    }

    private static bool Finite(ItemPrediction item) =>
        (item.Probabilities?.Values.All(float.IsFinite) ?? true) && (item.Values?.Values.All(float.IsFinite) ?? true);

    private static string Items(IEnumerable<int> items) => string.Join(", ", items);
}
