using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using ModelLoop.Artifacts;
using ModelLoop.Contracts;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Serving.Logging;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// POST /v1/models/{name}/feedback — the true label, a correct flag or a score for one item of a logged prediction
/// (<see cref="FeedbackRequest"/>). 201 the first time; the same feedback again is 200 "Unchanged" (idempotent
/// retries); different feedback for the same item replaces the stored one, 200 "Replaced" (last write wins: a client
/// corrects a mistaken label by sending the right one). A tenant sees only its own predictions: a request id of
/// another tenant or another model gets the same 404, word for word, as an unknown one.
/// </summary>
internal static class FeedbackApi
{
    public static RouteGroupBuilder MapFeedbackApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/models/{name}/feedback", Feedback).WithName("Feedback")
            .Accepts<FeedbackRequest>("application/json");
        return v1;
    }

    private static async Task<Results<Created<FeedbackResponse>, Ok<FeedbackResponse>, ProblemHttpResult>> Feedback(string name, HttpContext context,
        PredictionRecorder recorder, IOptions<ServingOptions> options, CancellationToken cancellationToken)
    {
        var tenant = ApiKeyMiddleware.Current(context);
        if (recorder.Log is not { } log)
            return Problems.NotFound("This server does not log predictions (Serving:PredictionLog:Enabled is false), so there is nothing to give feedback on. Start it with `modelloop serve --log-predictions`.");
        var (document, problem) = await JsonBody.Read(context.Request, options.Value.MaxRequestBytes, FeedbackInput.Example, cancellationToken);
        if (problem is not null)
            return problem;
        using (document)
        {
            FeedbackInput.Body body;
            try
            {
                body = FeedbackInput.Parse(document!.RootElement);
            }
            catch (BadInputException e)
            {
                return Problems.BadInput(e.Message);
            }
            var logged = tenant.IsGranted(name) ? log.Find(tenant.Id, name, body.RequestId) : null;
            if (logged is null)
                return UnknownRequest(name, body.RequestId);
            int item;
            ItemFeedback feedback;
            try
            {
                (item, feedback) = FeedbackInput.Resolve(body, logged);
            }
            catch (BadInputException e)
            {
                return Problems.BadInput(e.Message);
            }
            var write = log.RecordFeedback(logged.RequestId, item, feedback);
            if (write == FeedbackWrite.NotFound)
                return UnknownRequest(name, body.RequestId); // pruned by retention between the two reads
            var stored = Response(logged, item, feedback, write);
            return write == FeedbackWrite.Created ? TypedResults.Created((string?)null, stored) : TypedResults.Ok(stored);
        }
    }

    private static FeedbackResponse Response(LoggedRequest request, int item, ItemFeedback feedback, FeedbackWrite write) =>
        new(request.RequestId, item, write switch
        {
            FeedbackWrite.Created => FeedbackStatus.Created,
            FeedbackWrite.Replaced => FeedbackStatus.Replaced,
            _ => FeedbackStatus.Unchanged,
        })
        {
            Label = feedback.Class is { } c ? request.Info.Label(c) : null,
            Class = feedback.Class,
            Values = feedback.Values,
            Correct = feedback.Correct,
            Score = feedback.Score,
        };

    // The same words for an unknown id, another tenant's and another model's: the caller learns nothing about others.
    private static ProblemHttpResult UnknownRequest(string name, string requestId) =>
        Problems.NotFound($"No logged prediction of model '{name}' made with this API key has request id '{requestId}'. Send the requestId (or X-Request-Id header) of a predict response of this model made with this key; predictions not drawn by the log's sampling rate, or older than its retention, cannot get feedback.");
}
