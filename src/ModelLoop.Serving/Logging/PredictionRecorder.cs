using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Serving.Api;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Logging;

/// <summary>
/// The server's side of the prediction log: decides per request whether it is logged (enabled, sampling rate of its
/// model and tenant), builds its <see cref="PredictionRecord"/> (the input kept as the rule says, monitored features)
/// and commits it through <see cref="GroupCommit{T}"/>; the predict API answers only after the commit, so an
/// acknowledged prediction survives a killed server. <see cref="Log"/> is null when logging is off.
/// </summary>
internal sealed class PredictionRecorder : IAsyncDisposable
{
    private readonly PredictionLogOptions _options;
    private readonly GroupCommit<PredictionRecord>? _writer;

    public PredictionRecorder(IOptions<PredictionLogOptions> options, IOptions<ServingOptions> serving)
    {
        _options = options.Value.Validate();
        if (!_options.Enabled)
            return;
        Log = PredictionLog.Open(PathFor(_options, serving.Value));
        _writer = new GroupCommit<PredictionRecord>(Log.Append);
    }

    /// <summary>The log; null when Serving:PredictionLog:Enabled is false.</summary>
    public PredictionLog? Log { get; }

    public PredictionLogOptions Options => _options;

    /// <summary>Where the log lives: Serving:PredictionLog:Path, else <see cref="PredictionLog.DefaultFileName"/> next to the serving database.</summary>
    public static string PathFor(PredictionLogOptions options, ServingOptions serving) =>
        options.Path ?? PredictionLog.PathNextTo(serving.DatabasePath);

    /// <summary>Whether this request is logged, and how; null when it is not (logging off, or not drawn by the sampling rate).</summary>
    public LogDecision? Decide(string model, string tenantId)
    {
        if (_writer is null)
            return null;
        var rule = _options.RuleFor(model, tenantId);
        var rate = rule.SampleRate ?? 1;
        if (rate <= 0 || (rate < 1 && Random.Shared.NextDouble() >= rate))
            return null;
        return new LogDecision(rule);
    }

    /// <summary>
    /// Builds the request's record now (the caller's JSON document may be disposed once this returns) and queues it;
    /// the task completes when it is committed.
    /// </summary>
    public Task Record(LogDecision decision, string requestId, string tenantId, ServableModel model, ParsedInput input, PredictOutcome outcome, double latencyMs)
    {
        var width = outcome.Outputs.Length / input.Count;
        var elements = input.Values.Length / input.Count;
        var storage = decision.Rule.Inputs ?? InputStorage.Hash;
        var items = new ItemRecord[input.Count];
        for (var i = 0; i < input.Count; i++)
        {
            var outputs = outcome.Outputs.AsSpan(i * width, width);
            JsonElement? record = input.Records is { } records ? records[i] : null;
            var embedding = outcome.Embeddings is { } all ? all.AsSpan(i * outcome.EmbeddingWidth, outcome.EmbeddingWidth).ToArray() : null;
            items[i] = Input(storage, record, input.RawItems[i]) with
            {
                Outputs = outputs.ToArray(),
                Monitored = decision.Rule.Features == true ? Features(model, record, input.Values.AsSpan(i * elements, elements), embedding, outputs) : null,
            };
        }
        return _writer!.Add(new PredictionRecord
        {
            RequestId = requestId,
            TenantId = tenantId,
            Model = model.Name,
            Version = outcome.Version,
            Info = model.LogInfo,
            LatencyMs = latencyMs,
            Storage = storage,
            Format = input.Format,
            ItemShape = input.Format == InputFormat.Record ? [] : model.Schema.Shape,
            Items = items,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
            await _writer.DisposeAsync();
    }

    // The item's monitored features: the package's ItemMonitor, else (no reference profile, or a record it cannot read,
    // which the model's encoder accepted) what the model answered. The prediction was made: logging must not fail it.
    private static MonitoredItem Features(ServableModel model, JsonElement? record, ReadOnlySpan<float> input, float[]? embedding, ReadOnlySpan<float> outputs)
    {
        if (model.Monitor is { } monitor)
        {
            try
            {
                return monitor.Extract(record, input, embedding, outputs);
            }
            catch (FormatException)
            {
                // fall through to the predictions
            }
        }
        return ItemFeatures.Predictions(model.Package, outputs);
    }

    // What is kept of one item's input: records as JSON text, other inputs as their values before preprocessing.
    private static ItemRecord Input(InputStorage storage, JsonElement? record, float[] raw)
    {
        if (storage == InputStorage.None)
            return new ItemRecord([]);
        var text = record?.GetRawText();
        var hash = text is not null ? InputHash.Of(text) : InputHash.Of(raw);
        return storage switch
        {
            InputStorage.Raw => new ItemRecord([]) { InputSha256 = hash, InputJson = text, InputValues = text is null ? raw : null },
            InputStorage.Anonymized when record is { } r => new ItemRecord([]) { InputSha256 = hash, InputJson = RecordAnonymizer.Anonymize(r) },
            _ => new ItemRecord([]) { InputSha256 = hash },
        };
    }
}
