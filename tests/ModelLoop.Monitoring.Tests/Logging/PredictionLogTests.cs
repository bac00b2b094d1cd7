using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Monitoring.Tests.Logging;

public sealed class PredictionLogTests : IDisposable
{
    private readonly LogFixtures _fixtures = new();
    private readonly PredictionLog _log;

    public PredictionLogTests() => _log = _fixtures.Open();

    public void Dispose() => _fixtures.Dispose();

    [Fact]
    public void AnAppendedRequestIsReadBackWithItsItemsOutputsInputAndMonitoredFeatures()
    {
        var record = LogFixtures.IrisRequest("r1", 0, items: 2, predicted: 2);
        _log.Append([record]);

        var read = Assert.Single(_log.Read("iris"));

        Assert.Equal(("r1", "t1", "iris", "1", LogFixtures.T0, 1.5, InputStorage.Raw, InputFormat.Record),
            (read.RequestId, read.TenantId, read.Model, read.Version, read.TimeUtc, read.LatencyMs, read.Storage, read.Format));
        Assert.Equal(2, read.Items.Count);
        Assert.Equal(record.Items[1].Outputs, read.Items[1].Outputs);
        Assert.Equal(record.Items[1].InputJson, read.Items[1].InputJson);
        Assert.Equal(record.Items[1].InputSha256, read.Items[1].InputSha256);
        Assert.Equal(2, read.Items[1].Monitored!.PredictedClass);
        Assert.Equal(6, read.Items[1].Monitored!.Numeric["sepal_length"]);
        Assert.Null(read.Items[1].Feedback);
        var info = _log.Info("iris", "1")!;
        Assert.Equal((ModelTask.Classification, 3, 3), (info.Task, info.ClassCount, info.OutputWidth));
        Assert.Equal(LogFixtures.Iris.ClassNames, info.ClassNames);
    }

    [Fact]
    public void ReadKeepsTheRangeSinceInclusiveUntilExclusiveAndTheNewestRequestsUnderALimit()
    {
        _log.Append([.. Enumerable.Range(0, 6).Select(m => LogFixtures.IrisRequest($"r{m}", m))]);

        var range = _log.Read("iris", LogFixtures.T0.AddMinutes(1), LogFixtures.T0.AddMinutes(4));
        var newest = _log.Read("iris", limit: 2);

        Assert.Equal(["r1", "r2", "r3"], range.Select(r => r.RequestId));
        Assert.Equal(["r4", "r5"], newest.Select(r => r.RequestId));
        Assert.Empty(_log.Read("other"));
    }

    [Fact]
    public void FindSeesOnlyTheTenantsOwnRequestsOfTheNamedModel()
    {
        _log.Append([LogFixtures.IrisRequest("r1", 0, tenant: "t1", items: 3)]);

        var own = _log.Find("t1", "iris", "r1");

        Assert.Equal(3, own!.ItemCount);
        Assert.Equal("1", own.Version);
        Assert.Null(_log.Find("t2", "iris", "r1"));
        Assert.Null(_log.Find("t1", "digits", "r1"));
        Assert.Null(_log.Find("t1", "iris", "nope"));
    }

    [Fact]
    public void FeedbackIsCreatedThenUnchangedOnARepeatThenReplacedByADifferentAnswer()
    {
        _log.Append([LogFixtures.IrisRequest("r1", 0, items: 2)]);

        var first = _log.RecordFeedback("r1", 1, new ItemFeedback { Class = 2 });
        var repeat = _log.RecordFeedback("r1", 1, new ItemFeedback { Class = 2, TimeUtc = DateTimeOffset.UtcNow.AddMinutes(5) });
        var changed = _log.RecordFeedback("r1", 1, new ItemFeedback { Class = 1, Score = 3 });
        var missing = _log.RecordFeedback("r1", 7, new ItemFeedback { Class = 1 });

        Assert.Equal([FeedbackWrite.Created, FeedbackWrite.Unchanged, FeedbackWrite.Replaced, FeedbackWrite.NotFound], [first, repeat, changed, missing]);
        var stored = _log.Read("iris")[0].Items[1].Feedback!;
        Assert.Equal((1, 3.0, 2), (stored.Class, stored.Score, stored.Revisions));
        Assert.Null(_log.Read("iris")[0].Items[0].Feedback);
    }

    [Fact]
    public void LabelledItemsAreThoseWithALabelOrAClassifierPredictionConfirmedCorrect()
    {
        _log.Append([LogFixtures.IrisRequest("a", 0, predicted: 2), LogFixtures.IrisRequest("b", 1, predicted: 1), LogFixtures.IrisRequest("c", 2), LogFixtures.IrisRequest("d", 3)]);
        _log.RecordFeedback("a", 0, new ItemFeedback { Class = 0 });
        _log.RecordFeedback("b", 0, new ItemFeedback { Correct = true });
        _log.RecordFeedback("c", 0, new ItemFeedback { Correct = false });
        _log.RecordFeedback("d", 0, new ItemFeedback { Score = 4 });

        var labelled = _log.ReadLabelled("iris");

        Assert.Equal([("a", (int?)0), ("b", 1)], labelled.Select(l => (l.Prediction.RequestId, l.TrueClass)));
        Assert.Equal(new PredictionCounts(4, 4, 4, 2), _log.Count("iris"));
        Assert.Equal(["b"], _log.ReadLabelled("iris", limit: 1).Select(l => l.Prediction.RequestId));
    }

    [Fact]
    public void ARegressionLabelIsItsValuesAndCorrectAloneDoesNotLabelIt()
    {
        var request = LogFixtures.IrisRequest("p", 0) with { Model = "price", Info = LogFixtures.Price };
        _log.Append([request with { Items = [new ItemRecord([3.5f])], RequestId = "p1" }, request with { Items = [new ItemRecord([1f])], RequestId = "p2" }]);
        _log.RecordFeedback("p1", 0, new ItemFeedback { Values = [4.25] });
        _log.RecordFeedback("p2", 0, new ItemFeedback { Correct = true });

        var labelled = Assert.Single(_log.ReadLabelled("price"));

        Assert.Equal([4.25], labelled.TrueValues);
        Assert.Null(labelled.TrueClass);
    }

    [Fact]
    public void RetentionDeletesRequestsOlderThanTheMaximumAgeWithTheirFeedback()
    {
        _log.Append([.. Enumerable.Range(0, 10).Select(m => LogFixtures.IrisRequest($"r{m}", m * 60))]);
        _log.RecordFeedback("r0", 0, new ItemFeedback { Class = 1 });

        var deleted = _log.Prune(new RetentionPolicy(TimeSpan.FromHours(3), null), now: LogFixtures.T0.AddHours(9).AddMinutes(30));

        // The cut-off is 6:30 h after the first request: r0 … r6 (0 … 6 h) go.
        Assert.Equal(7, deleted);
        Assert.Equal(["r7", "r8", "r9"], _log.Read().Select(r => r.RequestId));
        Assert.Equal(new PredictionCounts(3, 3, 0, 0), _log.Count());
        Assert.Equal("ok", _log.IntegrityCheck());
    }

    [Fact]
    public void RetentionDeletesTheOldestRequestsUntilTheRowsFitTheSizeBound()
    {
        var big = new string('x', 4000);
        _log.Append([.. Enumerable.Range(0, 1200).Select(m => LogFixtures.IrisRequest($"r{m:D4}", m) is var r
            ? r with { Items = [r.Items[0] with { InputJson = $$"""{"note":"{{big}}"}""" }] } : r)]);
        var before = _log.DataBytes;
        var bound = before / 2;

        var deleted = _log.Prune(new RetentionPolicy(null, bound));

        Assert.True(before > 4_000_000, $"The log holds {before} bytes; the test needs several MB of rows.");
        Assert.InRange(_log.DataBytes, 0, bound);
        var kept = _log.Read().Select(r => r.RequestId).ToList();
        Assert.Equal(1200 - deleted, kept.Count);
        Assert.Equal("r1199", kept[^1]); // the newest are kept
        Assert.InRange(kept.Count, 1, 1199);
    }
}
