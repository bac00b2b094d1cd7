using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Monitoring.Drift;
using ModelLoop.Monitoring.Statistics;

namespace ModelLoop.Monitoring.Tests.Drift;

public sealed class DriftDetectorTests
{
    private readonly DriftDetector detector = new();

    [Fact]
    public void TwentyCleanWindowsFromTheReferenceDistributionRaiseNoAlarm()
    {
        var traffic = new SyntheticTraffic(seed: 11);
        var reference = traffic.Reference();
        for (int w = 0; w < 20; w++)
        {
            var report = detector.Detect(reference, traffic.Window(100));
            Assert.Equal(DriftVerdict.Checked, report.Verdict);
            Assert.False(report.Alarm, $"window {w}: {string.Join(" | ", report.Reasons)}");
            Assert.True(report.Score < 1, $"window {w}: score {report.Score}");
            Assert.All(report.AllChecks(), c => Assert.NotNull(c.Statistic));
        }
    }

    [Fact]
    public void AShiftedNumericFeatureAlarmsAndIsNamed()
    {
        var traffic = new SyntheticTraffic(seed: 12);
        var report = detector.Detect(traffic.Reference(), traffic.Window(200, new SyntheticTraffic.Shift { AgeMean = 48 }));
        Assert.True(report.Alarm);
        var age = report.Features.Single(f => f.Name == "age");
        Assert.True(age.Drifted);
        Assert.Equal(DriftMethod.KolmogorovSmirnov, age.Method);
        Assert.False(report.Features.Single(f => f.Name == "income").Drifted);
        Assert.Contains(report.Reasons, r => r.StartsWith("Feature 'age' drifted", StringComparison.Ordinal));
        Assert.True(report.Score >= 1);
    }

    [Fact]
    public void ANewCategoryAlarmsAndIsNamed()
    {
        var traffic = new SyntheticTraffic(seed: 13);
        var report = detector.Detect(traffic.Reference(), traffic.Window(150, new SyntheticTraffic.Shift { NewColorShare = 0.2 }));
        var color = report.Features.Single(f => f.Name == "color");
        Assert.True(report.Alarm);
        Assert.True(color.Drifted);
        Assert.Equal(DriftMethod.ChiSquared, color.Method);
        Assert.Contains("purple", color.Note);
        Assert.Contains(report.Reasons, r => r.StartsWith("Feature 'color' drifted", StringComparison.Ordinal));
    }

    [Fact]
    public void ShiftedEmbeddingsAlarmThroughTheMmdTest()
    {
        var traffic = new SyntheticTraffic(seed: 14);
        var report = detector.Detect(traffic.Reference(), traffic.Window(100, new SyntheticTraffic.Shift { EmbeddingMean = 0.5 }));
        Assert.NotNull(report.Embedding);
        Assert.Equal(DriftMethod.MaximumMeanDiscrepancy, report.Embedding.Method);
        Assert.True(report.Embedding.Drifted, report.Embedding.Note);
        Assert.True(report.Alarm);
        Assert.Contains(report.Reasons, r => r.StartsWith("Embedding drifted", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Features, f => f.Drifted);
    }

    [Fact]
    public void PermutationsAreRaisedSoThatTheEmbeddingTestCanPassTheCorrectedAlpha()
    {
        var traffic = new SyntheticTraffic(seed: 15);
        var report = detector.Detect(traffic.Reference(), traffic.Window(60, new SyntheticTraffic.Shift { EmbeddingMean = 1 }));
        int tests = report.AllChecks().Count(c => c.PValue is not null);
        // Holm multiplies the smallest p-value by the number of tests; the permutation floor 1/(P+1) must survive it.
        Assert.True(report.Embedding!.PValue * tests <= report.Alpha, $"p {report.Embedding.PValue} with {tests} tests");
        Assert.Contains("raised from 1000", report.Embedding.Note);
    }

    [Fact]
    public void AChangedClassDistributionAlarms()
    {
        var traffic = new SyntheticTraffic(seed: 16);
        var report = detector.Detect(traffic.Reference(), traffic.Window(200, new SyntheticTraffic.Shift { ClassShares = [0.2, 0.3, 0.5] }));
        Assert.NotNull(report.PredictedClass);
        Assert.True(report.PredictedClass.Drifted);
        Assert.Equal(DriftMethod.ChiSquared, report.PredictedClass.Method);
        Assert.Contains(report.Reasons, r => r.StartsWith("Predicted class drifted", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Features, f => f.Drifted);
    }

    [Fact]
    public void AShiftedRegressionOutputAlarms()
    {
        var traffic = new SyntheticTraffic(seed: 17);
        var reference = traffic.Reference(regression: true);
        var clean = detector.Detect(reference, traffic.Window(120, regression: true));
        var shifted = detector.Detect(reference, traffic.Window(120, new SyntheticTraffic.Shift { PredictedValueMean = 5 }, regression: true));
        Assert.Null(clean.PredictedClass);
        Assert.False(clean.PredictedValue!.Drifted);
        Assert.True(shifted.PredictedValue!.Drifted);
        Assert.Contains(shifted.Reasons, r => r.StartsWith("Predicted value drifted", StringComparison.Ordinal));
    }

    [Fact]
    public void ATooSmallWindowGetsNoVerdict()
    {
        var traffic = new SyntheticTraffic(seed: 18);
        var report = detector.Detect(traffic.Reference(), traffic.Window(29, new SyntheticTraffic.Shift { AgeMean = 90 }));
        Assert.Equal(DriftVerdict.NotEnoughData, report.Verdict);
        Assert.False(report.Alarm);
        Assert.Empty(report.Features);
        Assert.Contains("29 items", Assert.Single(report.Reasons));
    }

    [Fact]
    public void AMostlyMissingFeatureIsSkippedWithANoteWhileOthersAreChecked()
    {
        var traffic = new SyntheticTraffic(seed: 19);
        var report = detector.Detect(traffic.Reference(), traffic.Window(100, new SyntheticTraffic.Shift { MissingAge = 0.9 }));
        var age = report.Features.Single(f => f.Name == "age");
        Assert.Null(age.Statistic);
        Assert.True(age.Items < 30);
        Assert.StartsWith("Not enough data", age.Note);
        Assert.NotNull(report.Features.Single(f => f.Name == "income").Statistic);
    }

    [Fact]
    public void LargeWindowsAreMeasuredWithDistancesAgainstThresholds()
    {
        var traffic = new SyntheticTraffic(seed: 20);
        var reference = traffic.Reference();
        var clean = detector.Detect(reference, traffic.Window(1200, new SyntheticTraffic.Shift { Embeddings = false }));
        var shifted = detector.Detect(reference, traffic.Window(1200, new SyntheticTraffic.Shift { AgeMean = 45, Embeddings = false }));

        var age = clean.Features.Single(f => f.Name == "age");
        Assert.Equal(DriftMethod.Wasserstein, age.Method);
        Assert.Equal(0.1, age.Threshold);
        Assert.Null(age.PValue);
        Assert.Equal(DriftMethod.JensenShannon, clean.Features.Single(f => f.Name == "color").Method);
        Assert.False(clean.Alarm, string.Join(" | ", clean.Reasons));
        Assert.True(shifted.Features.Single(f => f.Name == "age").Drifted);
        Assert.True(shifted.Alarm);
    }

    [Fact]
    public void PopulationStabilityCanReplaceTheLargeWindowDistances()
    {
        var traffic = new SyntheticTraffic(seed: 21);
        var psi = new DriftDetector(new DriftDetectorOptions
        {
            LargeWindowNumeric = DriftMethod.PopulationStability, LargeWindowCategorical = DriftMethod.PopulationStability,
        });
        var report = psi.Detect(traffic.Reference(), traffic.Window(1000, new SyntheticTraffic.Shift { AgeMean = 50, Embeddings = false }));
        var age = report.Features.Single(f => f.Name == "age");
        Assert.Equal(DriftMethod.PopulationStability, age.Method);
        Assert.Equal(0.2, age.Threshold);
        Assert.True(age.Drifted);
        Assert.False(report.Features.Single(f => f.Name == "color").Drifted);
    }

    [Fact]
    public void AdjustedPValuesAreHolmOverEveryTestOfTheWindow()
    {
        var traffic = new SyntheticTraffic(seed: 22);
        var report = detector.Detect(traffic.Reference(), traffic.Window(80, new SyntheticTraffic.Shift { AgeMean = 43 }));
        var tests = report.AllChecks().Where(c => c.PValue is not null).ToList();
        Assert.Equal(6, tests.Count); // age, income, color, embedding, predicted class, confidence
        double[] expected = MultipleTesting.Holm(tests.Select(c => c.PValue!.Value).ToArray());
        Assert.Equal(expected, tests.Select(c => c.AdjustedPValue!.Value));
    }

    [Fact]
    public void TheReportSerializesToJsonWithEnumNames()
    {
        var traffic = new SyntheticTraffic(seed: 23);
        var report = detector.Detect(traffic.Reference(), traffic.Window(50));
        string json = JsonSerializer.Serialize(report);
        Assert.Contains("\"Method\":\"KolmogorovSmirnov\"", json);
        Assert.Contains("\"Kind\":\"Categorical\"", json);
        var back = JsonSerializer.Deserialize<DriftReport>(json)!;
        Assert.Equal(report.Features, back.Features);
        Assert.Equal(report.Score, back.Score);
    }

    [Fact]
    public void AnEmptyReferenceSampleIsAClearError()
    {
        var traffic = new SyntheticTraffic(seed: 24);
        var reference = traffic.Reference();
        reference = reference with
        {
            Features = [reference.Features[0] with { Sample = [] }, .. reference.Features.Skip(1)],
        };
        var error = Assert.Throws<ArgumentException>(() => detector.Detect(reference, traffic.Window(40)));
        Assert.Contains("'age'", error.Message);
        Assert.Contains("empty sample", error.Message);
    }

    [Fact]
    public void ANaNInTheReferenceSampleIsAClearErrorNamingTheFeature()
    {
        var traffic = new SyntheticTraffic(seed: 27);
        var reference = traffic.Reference();
        var income = reference.Features[1];
        reference = reference with { Features = [reference.Features[0], income with { Sample = [.. income.Sample!.SkipLast(1), double.NaN] }, reference.Features[2]] };
        var error = Assert.Throws<ArgumentException>(() => detector.Detect(reference, traffic.Window(40)));
        Assert.Equal("reference", error.ParamName);
        Assert.Contains("'income' has NaN", error.Message);
    }

    [Fact]
    public void ANaNInTheWindowIsAClearErrorNamingTheItemAndFeature()
    {
        var traffic = new SyntheticTraffic(seed: 25);
        var window = traffic.Window(40);
        window[7] = window[7] with { Numeric = new Dictionary<string, double?> { ["age"] = double.NaN, ["income"] = 0 } };
        var error = Assert.Throws<ArgumentException>(() => detector.Detect(traffic.Reference(), window));
        Assert.Equal("window", error.ParamName);
        Assert.Contains("item 7", error.Message);
        Assert.Contains("'age'", error.Message);
    }

    [Fact]
    public void AnEmbeddingOfTheWrongWidthIsAClearError()
    {
        var traffic = new SyntheticTraffic(seed: 26);
        var window = traffic.Window(40);
        window[3] = window[3] with { Embedding = new float[5] };
        var error = Assert.Throws<ArgumentException>(() => detector.Detect(traffic.Reference(), window));
        Assert.Contains("item 3 has an embedding of 5 values", error.Message);
    }

    [Fact]
    public void InvalidOptionsAreRefusedNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new DriftDetector(new DriftDetectorOptions { Alpha = 0 }));
        Assert.Equal("Alpha", error.ParamName);
        Assert.Contains("Received: Alpha=0", error.Message);
        Assert.Throws<ArgumentException>(() => new DriftDetector(new DriftDetectorOptions { LargeWindowNumeric = DriftMethod.ChiSquared }));
    }
}
