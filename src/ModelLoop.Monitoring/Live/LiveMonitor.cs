using System.Collections.Concurrent;
using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Drift;
using ModelLoop.Monitoring.Logging;
using ModelLoop.Registry;

namespace ModelLoop.Monitoring.Live;

/// <summary>
/// Watches a served model through its prediction log: cuts the logged items into windows (per version, since each
/// version has its own reference), runs the drift tests on each against the version's <see cref="ReferenceProfile"/>,
/// and measures live accuracy on the items whose true answer came back as feedback. The same report feeds the
/// monitoring endpoint, `modelloop monitor`, the retraining policy and the demo.
/// </summary>
public sealed class LiveMonitor
{
    private readonly Func<string, ReferenceProfile?> _references;
    private readonly MonitoringOptions _options;
    private readonly DriftDetector _detector;

    /// <param name="references">The reference profile of a version of the model (null: the version has none).</param>
    /// <param name="options">Windows and tests. Defaults to <see cref="MonitoringOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public LiveMonitor(Func<string, ReferenceProfile?> references, MonitoringOptions? options = null)
    {
        _references = references ?? throw new ArgumentNullException(nameof(references));
        _options = options ?? new MonitoringOptions();
        _options.Validate();
        _detector = new DriftDetector(_options.Detector);
    }

    /// <summary>
    /// A monitor whose references come from the registry's versions of <paramref name="name"/> (read once per version,
    /// verified, without loading the weights).
    /// </summary>
    public static LiveMonitor ForRegistry(ModelRegistry registry, string name, MonitoringOptions? options = null, ArtifactLoadOptions? load = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var cache = new ConcurrentDictionary<string, ReferenceProfile?>(StringComparer.Ordinal);
        return new LiveMonitor(version => cache.GetOrAdd(version, v => registry.ReadMetadata(name, v, load).Metadata.Reference), options);
    }

    /// <summary>
    /// Monitors <paramref name="model"/> over the requests logged in [since, until). Windows end every
    /// <see cref="MonitoringOptions.Step"/> items of a version; <paramref name="afterItem"/> skips windows ending at or
    /// before that item (1-based, across versions) — a caller that polls passes the last item it has seen, so only
    /// new windows are computed.
    /// </summary>
    public MonitoringReport Evaluate(PredictionLog log, string model, DateTimeOffset? since = null, DateTimeOffset? until = null, long afterItem = 0)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return Evaluate(model, log.Read(model, since, until), since, until, afterItem);
    }

    /// <summary>As <see cref="Evaluate(PredictionLog, string, DateTimeOffset?, DateTimeOffset?, long)"/>, on requests already read (oldest first).</summary>
    public MonitoringReport Evaluate(string model, IReadOnlyList<LoggedPrediction> requests, DateTimeOffset? since = null, DateTimeOffset? until = null, long afterItem = 0)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var items = new List<Observed>();
        var requestCount = 0L;
        foreach (var request in requests.OrderBy(r => r.TimeUtc))
        {
            requestCount++;
            foreach (var item in request.Items.OrderBy(i => i.Index))
                items.Add(new Observed(items.Count + 1, requestCount, request, item, Correctness(item)));
        }

        var windows = new List<MonitoringWindow>();
        var unmonitored = new SortedSet<string>(StringComparer.Ordinal);
        var referenceAccuracy = new Dictionary<string, double?>(StringComparer.Ordinal);
        // Versions in the order they first served, each with its items in traffic order.
        foreach (var group in items.GroupBy(i => i.Request.Version))
        {
            var reference = _references(group.Key);
            referenceAccuracy[group.Key] = reference?.Accuracy;
            var served = group.Where(i => i.Item.Monitored is not null).ToList();
            if (reference is null)
            {
                unmonitored.Add(group.Key);
                continue;
            }
            for (var end = _options.WindowSize; end <= served.Count; end += _options.Step)
            {
                var last = served[end - 1];
                if (last.Number <= afterItem)
                    continue;
                var window = served.GetRange(Math.Max(0, end - _options.WindowSize), Math.Min(end, _options.WindowSize));
                windows.Add(Judge(group.Key, reference, window));
            }
        }
        windows.Sort((a, b) => a.LastItem.CompareTo(b.LastItem));

        return new MonitoringReport
        {
            Model = model,
            Since = since,
            Until = until,
            Requests = requestCount,
            Items = items.Count,
            Labelled = items.Count(i => i.Correct is not null),
            Windows = windows,
            Versions = items.GroupBy(i => i.Request.Version).Select(g =>
            {
                var labelled = g.Where(i => i.Correct is not null).ToList();
                var accuracy = referenceAccuracy.GetValueOrDefault(g.Key);
                return new VersionAccuracy(g.Key, g.Count(),
                    labelled.Count == 0 ? null : LiveAccuracy.From(labelled.Count(i => i.Correct == true), labelled.Count, accuracy, _options.ConfidenceLevel),
                    accuracy);
            }).ToList(),
            Unmonitored = unmonitored.ToList(),
        };
    }

    private MonitoringWindow Judge(string version, ReferenceProfile reference, List<Observed> window)
    {
        var drift = _detector.Detect(reference, window.Select(i => i.Item.Monitored!).ToList());
        var labelled = window.Where(i => i.Correct is not null).ToList();
        LiveAccuracy? accuracy = labelled.Count >= _options.MinimumLabelled
            ? LiveAccuracy.From(labelled.Count(i => i.Correct == true), labelled.Count, reference.Accuracy, _options.ConfidenceLevel)
            : null;
        return new MonitoringWindow
        {
            Version = version,
            FirstItem = window[0].Number,
            LastItem = window[^1].Number,
            Requests = window[^1].Requests,
            Start = window[0].Request.TimeUtc,
            End = window[^1].Request.TimeUtc,
            Drift = drift,
            Accuracy = accuracy,
            // Held to the same false-alarm rate as the drift tests (α), not the displayed 95% interval: a 95% bound
            // crossed by chance once in every few dozen clean windows would be a false alarm as often.
            AccuracyAlarm = accuracy is { ReferenceAccuracy: { } expected }
                && Statistics.ProportionInterval.Wilson(accuracy.Correct, accuracy.Total, 1 - _options.Detector.Alpha).Upper < expected - _options.AccuracyMargin,
        };
    }

    /// <summary>Whether the item was predicted right, as its feedback says (a true class, or a correct/incorrect flag); null without either.</summary>
    internal static bool? Correctness(LoggedItem item)
    {
        if (item.Feedback is not { } feedback)
            return null;
        if (feedback.Class is { } truth)
            return Predicted(item) is { } predicted ? predicted == truth : null;
        return feedback.Correct;
    }

    // The class the item was answered with: recorded with its features, else the largest logit (one logit: > 0).
    private static int? Predicted(LoggedItem item)
    {
        if (item.Monitored?.PredictedClass is { } recorded)
            return recorded;
        var outputs = item.Outputs;
        if (outputs.Length == 0)
            return null;
        if (outputs.Length == 1)
            return outputs[0] > 0 ? 1 : 0;
        var best = 0;
        for (var i = 1; i < outputs.Length; i++)
        {
            if (outputs[i] > outputs[best])
                best = i;
        }
        return best;
    }

    private sealed record Observed(long Number, long Requests, LoggedPrediction Request, LoggedItem Item, bool? Correct);
}
