using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Privacy.Tests.Audit;
using ModelLoop.Training;

namespace ModelLoop.Privacy.Tests.Sgd;

public sealed class DifferentialPrivacyAddOnTests : IDisposable
{
    private readonly AuditWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void The_evaluation_report_of_a_privately_trained_model_states_its_guarantee()
    {
        var csv = _workspace.NoiseCsv(400);
        var config = _workspace.OverfitConfig(csv, test: 0.25, epochs: 2) with
        {
            Privacy = new PrivacyConfig { Epsilon = 2, Delta = 1e-3, MaxGradNorm = 0.5 },
            BatchSize = 50,
        };
        var run = PrivateTraining.Run(config, new TrainingJobOptions { OutputDirectory = _workspace.File("private"), Track = false, Progress = ProgressMode.Silent });

        var outcome = EvaluationJob.Run(new EvaluationRequest { Model = run.PackagePath, OutputDirectory = _workspace.File("eval"), AddOns = [new DifferentialPrivacyAddOn()] });

        var (_, metadata) = ModelArtifact.ReadMetadata(run.PackagePath);
        var section = Assert.Single(outcome.Sections);
        var guarantee = Assert.IsType<PrivacyGuarantee>(section.Data);
        Assert.Equal(run.History["epsilon"][^1], guarantee.Epsilon, 9);
        Assert.Equal(1e-3, guarantee.Delta);
        Assert.Equal(0.5, guarantee.MaxGradNorm);
        Assert.Equal(metadata.Metrics[PrivateTraining.NoiseMetric], guarantee.NoiseMultiplier);
        // q = 50 / N for the N ≈ 300 training rows of the 75% split, and ⌈N / 50⌉ steps in each of the 2 epochs.
        var rows = 50 / guarantee.SampleRate!.Value;
        Assert.InRange(rows, 290, 310);
        Assert.Equal(Math.Round(rows), rows, 6);
        Assert.Equal(2 * (long)Math.Ceiling(rows / 50), guarantee.Steps);
        using var json = JsonDocument.Parse(File.ReadAllText(outcome.Report.Json));
        var written = json.RootElement.GetProperty(DifferentialPrivacyAddOn.Key);
        Assert.Equal(guarantee.Epsilon, written.GetProperty("epsilon").GetDouble(), 9);
        Assert.Equal(guarantee.Steps, written.GetProperty("steps").GetInt64());
        var html = File.ReadAllText(outcome.Report.Html);
        Assert.Contains("differential privacy (DP-SGD)", html, StringComparison.Ordinal);
        Assert.Contains(guarantee.Epsilon.ToString("G4", System.Globalization.CultureInfo.InvariantCulture), html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_trained_without_privacy_gets_no_privacy_section()
    {
        var csv = _workspace.NoiseCsv(40);
        using (var model = new Sequential(8) { new Dense(2) })
            ModelArtifact.Save(model, _workspace.File("plain"), new ArtifactMetadata { Task = ModelTask.Classification, Metrics = new Dictionary<string, double> { ["test_accuracy"] = 0.5 } });
        using var resolved = ModelResolver.Resolve(_workspace.File("plain"));
        using var loaded = DataSource.Load(new DataConfig { Source = csv, Label = "label" }, ModelTask.Classification);

        var section = new DifferentialPrivacyAddOn().Evaluate(new EvaluationAddOnContext
        {
            Model = resolved, Data = new DataConfig { Source = csv }, Loaded = loaded, OutputDirectory = _workspace.File("eval"),
        });

        Assert.Null(section);
    }

    [Fact]
    public void A_package_without_sampling_rate_and_steps_says_they_were_not_recorded()
    {
        var guarantee = PrivacyGuarantee.FromMetrics(new Dictionary<string, double>
        {
            [PrivateTraining.EpsilonMetric] = 2.5, [PrivateTraining.DeltaMetric] = 1e-5, [PrivateTraining.NoiseMetric] = 1.1, [PrivateTraining.ClipMetric] = 1,
        })!;

        var section = DifferentialPrivacyAddOn.Section(guarantee);

        Assert.Null(guarantee.Steps);
        var row = Assert.Single(section.TableRows);
        Assert.Equal(section.TableHeaders.Count, row.Count);
        Assert.Equal(["2.5", "1E-05", "1.1", "1"], row.Take(4));
        Assert.Equal(["not recorded", "not recorded"], row.Skip(4));
    }
}
