using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelLoop.Language.Generation;
using ModelLoop.Language.Generation.Scheduling;
using ModelLoop.Serving.Api;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Language;

/// <summary>
/// OpenAI-compatible text generation: POST /v1/completions, POST /v1/chat/completions (also under /v1/openai/, beside
/// GET /v1/openai/models, so an OpenAI client gets its whole API from one base URL; GET /v1/models stays ModelLoop's own
/// list). Bodies are read by <see cref="CompletionRequest"/>; requests join their model version's
/// <see cref="GenerationScheduler"/> (continuous batching). With <c>"stream": true</c> the answer is server-sent events,
/// one <c>data: {chunk}</c> per text piece, ending in <c>data: [DONE]</c>; an error after the stream began is sent as
/// <c>data: {"error": …}</c> and the stream still ends in [DONE]. Metering is in tokens (prompt and completion),
/// recorded once per request: for the tokens sent (a stream the client cut counts what reached it), or, for an answer
/// the client stopped waiting for, for what was computed. Each request counts against the tenant's request and token limits.
/// </summary>
internal static class CompletionsApi
{
    /// <summary>
    /// The concrete model version that answered (the body's <c>model</c> echoes the name or alias asked for), so a client
    /// sees a promotion take effect.
    /// </summary>
    public const string ModelVersionHeader = "X-Model-Version";

    public static RouteGroupBuilder MapCompletionsApi(this RouteGroupBuilder v1)
    {
        foreach (var prefix in (string[])["", "/openai"])
        {
            // Cast to Delegate: as a RequestDelegate the IResult returned would be discarded.
            v1.MapPost(prefix + "/completions", (Delegate)((HttpContext context) => Complete(context, chat: false)));
            v1.MapPost(prefix + "/chat/completions", (Delegate)((HttpContext context) => Complete(context, chat: true)));
        }
        v1.MapGet("/openai/models", ListModels);
        return v1;
    }

    private static IResult ListModels(HttpContext context, LanguageModelHost host)
    {
        var tenant = ApiKeyMiddleware.Current(context);
        var names = (host.Catalog?.List() ?? []).Where(m => tenant.IsGranted(m.Name)).Select(m => m.Name);
        return Results.Bytes(OpenAiWire.ModelList(names), "application/json");
    }

    private static async Task<IResult> Complete(HttpContext context, bool chat)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<ServingOptions>>().Value;
        var host = services.GetRequiredService<LanguageModelHost>();
        var limits = services.GetRequiredService<TokenLimits>();
        var tenant = ApiKeyMiddleware.Current(context);
        var (body, problem) = await JsonBody.Read(context.Request, options.MaxRequestBytes,
            chat ? "{ \"model\": \"NAME\", \"messages\": [{ \"role\": \"user\", \"content\": \"Hello\" }] }" : "{ \"model\": \"NAME\", \"prompt\": \"Hello\" }", context.RequestAborted);
        if (problem is not null)
            return problem;
        CompletionRequest request;
        using (body)
        {
            try
            {
                request = CompletionRequest.Parse(body!.RootElement, chat, host.Options);
            }
            catch (BadInputException e)
            {
                return Problems.BadInput(e.Message);
            }
        }

        LoadedLanguageModel? model;
        try
        {
            model = tenant.IsGranted(request.Model) ? await host.Get(request.Model, request.Version, context.RequestAborted) : null;
        }
        catch (ModelUnavailableException e)
        {
            return Problems.Unavailable(context, e);
        }
        if (model is null)
            return UnknownModel(context, host, tenant, request);

        var (prompt, tooLong) = Encode(model, request);
        if (tooLong is not null)
            return tooLong;
        var maxTokens = request.MaxTokens ?? (int)Math.Min(chat ? host.Options.MaxTokensLimit : host.Options.DefaultMaxTokens, model.Scheduler.BlockSize - prompt.Count + 1);
        var mostTokens = prompt.Count + (long)maxTokens * request.N;

        // The limits, each taken for the most the request can use; reservations are given back once it was metered.
        var meter = limits.Meter;
        if (tenant.DailyRequestQuota is { } quota && !meter.TryReserve(tenant.Id, quota))
        {
            var midnight = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
            return Problems.TooMany(context, $"The daily quota of {quota} requests for this key is used up; it resets at 00:00 UTC. Retry then, or ask the administrator for a larger quota.", midnight);
        }
        var reservedTokens = 0L;
        try
        {
            if (limits.TakeRate(tenant, mostTokens) is { } rate)
                return rate.ToProblem(context);
            if (limits.TakeQuota(tenant, mostTokens) is { } full)
                return full.ToProblem(context);
            reservedTokens = tenant.DailyTokenQuota is null ? 0 : mostTokens;
            var generation = new GenerationOptions
            {
                MaxNewTokens = maxTokens, Temperature = request.Temperature, TopP = request.TopP, Stop = request.Stop, Seed = request.Seed,
            };
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            ChannelReader<GenerationUpdate> updates;
            try
            {
                updates = model.Scheduler.Submit(prompt, generation, request.N, cut.Token);
            }
            catch (SchedulerFullException e)
            {
                return Problems.TooMany(context, $"Model '{request.Model}' is at capacity: {e.Message}", TimeSpan.FromSeconds(1));
            }
            catch (ObjectDisposedException)
            {
                return Problems.TooMany(context, $"Model '{request.Model}' version {model.Version} was just unloaded; retry the request.", TimeSpan.FromSeconds(1));
            }
            var run = new Run(context, request, model, tenant, meter, prompt.Count, Stopwatch.GetTimestamp());
            try
            {
                return request.Stream ? await run.Stream(updates) : await run.Answer(updates);
            }
            finally
            {
                await cut.CancelAsync(); // an answer that failed half-way frees its rows at once
            }
        }
        finally
        {
            limits.Release(tenant, reservedTokens);
            if (tenant.DailyRequestQuota is not null)
                meter.ReleaseReservation(tenant.Id);
        }
    }

    // The prompt's token ids, or a 400 naming the field when they cannot be encoded or leave no room in the context.
    private static (IReadOnlyList<int> Ids, IResult? Problem) Encode(LoadedLanguageModel model, CompletionRequest request)
    {
        var tokenizer = model.Package.Tokenizer;
        IReadOnlyList<int> ids;
        try
        {
            ids = tokenizer.Encode(request.Prompt);
        }
        catch (ArgumentException e)
        {
            return ([], Problems.BadInput($"\"{request.PromptField}\" cannot be encoded by model '{request.Model}''s tokenizer: {e.Message}"));
        }
        if (ids.Count == 0)
            ids = [tokenizer.EndOfTextId]; // an empty prompt: an unconditional sample, as GPT-2 starts one
        var context = model.Scheduler.BlockSize;
        if (ids.Count >= context)
            return (ids, Problems.BadInput($"\"{request.PromptField}\" is {ids.Count} tokens{(request.Chat ? " (after the chat template)" : "")}; model '{request.Model}' has a context of {context} tokens, which must hold the prompt and at least one new token. Shorten it to at most {context - 1} tokens."));
        if (request.MaxTokens is { } asked && ids.Count + asked - 1 > context)
            return (ids, Problems.BadInput($"\"max_tokens\" is {asked} but the prompt is {ids.Count} tokens and model '{request.Model}' has a context of {context}: at most {context - ids.Count + 1} new tokens fit. Lower \"max_tokens\" or shorten the prompt."));
        return (ids, null);
    }

    // 404 for a name the tenant cannot see; 400 naming "model" for one of its models that is not a language model.
    private static IResult UnknownModel(HttpContext context, LanguageModelHost host, Tenant tenant, CompletionRequest request)
    {
        var models = context.RequestServices.GetRequiredService<ModelHost>();
        var languageModels = (host.Catalog?.List() ?? []).Where(m => tenant.IsGranted(m.Name)).ToList();
        var available = languageModels.Count == 0 ? "none (ask the administrator for a grant)" : string.Join(", ", languageModels.Select(m => m.Name));
        if (tenant.IsGranted(request.Model) && models.Catalog.List().Any(m => m.Name == request.Model) && languageModels.All(m => m.Name != request.Model))
            return Problems.BadInput($"\"model\": '{request.Model}' is not a language model (it is served by POST /v1/models/{request.Model}/predict). Language models available to this key: {available}.");
        var known = languageModels.FirstOrDefault(m => m.Name == request.Model);
        if (known is not null && request.Version is not null)
            return Problems.NotFound($"\"model\": language model '{request.Model}' has no version or alias '{request.Version}'. Use one of: {string.Join(", ", known.Versions.Concat(known.Aliases.Keys).Distinct())}, or send the name alone for the default.");
        return Problems.NotFound($"\"model\": no language model '{request.Model}' is available to this API key. Available: {available}. GET /v1/openai/models lists them.");
    }

    // One request being generated: writes the answer or the stream and meters it exactly once.
    private sealed class Run(HttpContext context, CompletionRequest request, LoadedLanguageModel model, Tenant tenant, Metering.UsageMeter meter, int promptTokens, long started)
    {
        private readonly string _id = (request.Chat ? "chatcmpl-" : "cmpl-") + Guid.CreateVersion7().ToString("N");
        private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        private readonly int[] _tokens = new int[request.N];          // per choice: completion tokens computed (answer) or sent (stream)
        private bool _metered;

        private string ModelName => request.Version is null ? request.Model : $"{request.Model}:{request.Version}";

        public async Task<IResult> Answer(ChannelReader<GenerationUpdate> updates)
        {
            var texts = Enumerable.Range(0, request.N).Select(_ => new StringBuilder()).ToArray();
            var finishes = new FinishReason?[request.N];
            try
            {
                await foreach (var update in updates.ReadAllAsync(CancellationToken.None))
                {
                    texts[update.Choice].Append(update.Text);
                    _tokens[update.Choice] = update.CompletionTokens;
                    finishes[update.Choice] = update.Finished ?? finishes[update.Choice];
                }
            }
            catch (OperationCanceledException)
            {
                // The client went away before the answer: nothing is sent; the tokens computed are metered.
                await Meter();
                return Results.Empty;
            }
            catch (Exception e)
            {
                await Meter(); // the prompt was read and tokens computed before the failure
                return Problems.ServerError(context, $"Generation with model '{request.Model}' failed.", e);
            }
            // Metered before the answer is sent (an answer is never sent unmetered).
            await Meter();
            var choices = Enumerable.Range(0, request.N).Select(i => new OpenAiWire.Choice(i, texts[i].ToString(), finishes[i])).ToList();
            context.Response.Headers[PredictApi.RequestIdHeader] = _id;
            context.Response.Headers[ModelVersionHeader] = model.Version;
            return Results.Bytes(OpenAiWire.Answer(_id, request.Chat, _created, ModelName, choices, promptTokens, _tokens.Sum()), "application/json");
        }

        public async Task<IResult> Stream(ChannelReader<GenerationUpdate> updates)
        {
            var response = context.Response;
            var aborted = context.RequestAborted;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers[PredictApi.RequestIdHeader] = _id;
            response.Headers[ModelVersionHeader] = model.Version;
            try
            {
                await response.StartAsync(aborted);
                if (request.Chat)
                {
                    for (var choice = 0; choice < request.N; choice++)
                        await Send(OpenAiWire.Chunk(_id, true, _created, ModelName, choice, "", null, first: true), aborted);
                }
                await foreach (var update in updates.ReadAllAsync(CancellationToken.None))
                {
                    await Send(OpenAiWire.Chunk(_id, request.Chat, _created, ModelName, update.Choice, update.Text, update.Finished), aborted);
                    _tokens[update.Choice] = update.CompletionTokens; // counted once it reached the connection
                }
            }
            catch (Exception e) when (aborted.IsCancellationRequested || e is OperationCanceledException or IOException)
            {
                // The client cut the stream: metered for what was sent; nothing more can be written.
                await Meter();
                return Results.Empty;
            }
            catch (Exception e)
            {
                // A failure after the 200 went out: say so in the stream, meter what was sent, end with [DONE].
                var id = Problems.Logged(context, e, StatusCodes.Status500InternalServerError);
                await Meter();
                await TrySend(OpenAiWire.Error($"Generation with model '{request.Model}' failed on the server; the server log has the cause under request id {id}.", "server_error"));
                await TrySend("[DONE]"u8.ToArray());
                return Results.Empty;
            }
            await Meter();
            if (request.IncludeUsage)
                await TrySend(OpenAiWire.UsageChunk(_id, request.Chat, _created, ModelName, promptTokens, _tokens.Sum()));
            await TrySend("[DONE]"u8.ToArray());
            return Results.Empty;
        }

        private async Task Send(byte[] json, CancellationToken cancellationToken)
        {
            var body = context.Response.Body;
            await body.WriteAsync("data: "u8.ToArray(), cancellationToken);
            await body.WriteAsync(json, cancellationToken);
            await body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
            await body.FlushAsync(cancellationToken);
        }

        private async Task TrySend(byte[] json)
        {
            try
            {
                await Send(json, context.RequestAborted);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // the client left after the last token: its usage is already metered
            }
        }

        private async Task Meter()
        {
            if (_metered)
                return;
            _metered = true;
            var computeMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            await meter.RecordTokens(tenant.Id, request.Model, model.Version, promptTokens, _tokens.Sum(), computeMs);
            ServingMetrics.Requests.WithLabels(request.Model, "ok").Inc();
        }
    }
}
