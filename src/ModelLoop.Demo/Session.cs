using ModelLoop.Client;
using ModelLoop.Contracts;
using ModelLoop.Monitoring.Live;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Demo;

/// <summary>
/// The simulated users and the operator's monitor: sends requests in chunks of <see cref="MonitoringOptions.Step"/> over
/// several concurrent SDK clients, sends the true label back for a seeded share of them, and after each chunk reads the
/// newly logged requests and judges the new windows.
/// </summary>
internal sealed class Session(ModelLoopClient client, PredictionLog log, LiveMonitor monitor, string model, FeedbackDemoOptions options)
{
    private sealed record Sent(string Version, bool Correct, bool Labelled, DateTimeOffset Time);

    private readonly List<Sent> _sent = [];
    private readonly List<LoggedPrediction> _logged = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<MonitoringWindow> _windows = [];
    private DateTimeOffset? _readUntil;
    private long _lastItem;

    /// <summary>Requests answered so far.</summary>
    public long Requests => _sent.Count;

    /// <summary>Windows judged so far, in traffic order.</summary>
    public IReadOnlyList<MonitoringWindow> Windows => _windows;

    /// <summary>
    /// Sends items [from, to) of <paramref name="part"/>; after each chunk judges new windows and asks
    /// <paramref name="stop"/> (with the requests sent) whether to stop early.
    /// </summary>
    public async Task SendAsync(TrafficPart part, int from, int to, Func<long, bool> stop, CancellationToken cancellationToken, long offset = 0)
    {
        for (var start = from; start < to; start += options.Monitoring.Step)
        {
            var end = Math.Min(to, start + options.Monitoring.Step);
            var results = new Sent[end - start];
            var next = start - 1;
            var workers = Enumerable.Range(0, options.Clients).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < end)
                {
                    var response = await client.PredictImagesAsync(model, [part.Images[i]], cancellationToken: cancellationToken);
                    var label = part.Labels[i];
                    var labelled = Draw(offset + i) < options.FeedbackShare;
                    if (labelled)
                        await client.SendFeedbackAsync(model, FeedbackRequest.WithClass(response.RequestId, label), cancellationToken);
                    results[i - start] = new Sent(response.Version, response.Predictions[0].Class == label, labelled, DateTimeOffset.UtcNow);
                }
            }).ToArray();
            await Task.WhenAll(workers);
            _sent.AddRange(results);
            Judge();
            if (stop(Requests))
                return;
        }
    }

    /// <summary>Requests until the server answers with <paramref name="version"/> (it polls the registry); these are not counted as traffic.</summary>
    public async Task WaitForVersionAsync(byte[] image, string version, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.PredictImagesAsync(model, [image], cancellationToken: cancellationToken)).Version != version)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The server still answers with another version 30 s after v{version} was promoted; is the registry it serves the one the demo wrote?");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// The monitoring report of everything sent so far: the windows already judged after each chunk (none is judged
    /// twice) with the per-version live accuracy over all logged items.
    /// </summary>
    public MonitoringReport Report()
    {
        Judge();
        return monitor.Evaluate(model, _logged, afterItem: long.MaxValue) with { Windows = _windows.ToList() };
    }

    /// <summary>Accuracy over the labelled requests among [from, to); null when none is labelled.</summary>
    public double? Accuracy(long from, long to)
    {
        var labelled = _sent.Skip((int)from).Take((int)(to - from)).Where(s => s.Labelled).ToList();
        return labelled.Count == 0 ? null : labelled.Count(s => s.Correct) / (double)labelled.Count;
    }

    /// <summary>Labelled requests from request <paramref name="from"/> on.</summary>
    public long Labelled(long from) => _sent.Skip((int)from).Count(s => s.Labelled);

    // Reads what the server logged since the last read, then judges only the windows that end after the last judged item.
    private void Judge()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var request in log.Read(model, since: _readUntil?.AddSeconds(-1)))
        {
            if (_seen.Add(request.RequestId))
                _logged.Add(request);
        }
        _readUntil = now;
        var report = monitor.Evaluate(model, _logged, afterItem: _lastItem);
        foreach (var window in report.Windows)
        {
            _windows.Add(window);
            _lastItem = Math.Max(_lastItem, window.LastItem);
        }
    }

    // A seeded uniform draw per request index: which users send their label back.
    private double Draw(long index) => new Random(unchecked(options.Seed * 1_000_003 + (int)index)).NextDouble();
}
