using ModelLoop.Loop;
using ModelLoop.Privacy.Sgd;
using ModelLoop.Privacy.Tests.Audit;
using ModelLoop.Training;

namespace ModelLoop.Privacy.Tests.Sgd;

public sealed class PrivateTrainingRunTests : IDisposable
{
    private readonly AuditWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void A_config_with_a_privacy_section_trains_privately_end_to_end_and_records_its_guarantee_in_the_package()
    {
        var csv = _workspace.NoiseCsv(400);
        var config = _workspace.OverfitConfig(csv, test: 0.25, epochs: 2) with
        {
            Privacy = new PrivacyConfig { Epsilon = 2, Delta = 1e-3, MaxGradNorm = 1 },
            BatchSize = 50,
        };
        var options = new TrainingJobOptions { OutputDirectory = _workspace.File("private"), Track = false, Progress = ProgressMode.Silent };

        var result = PrivateTraining.Run(config, options);

        var epsilons = result.History["epsilon"].ToList();
        Assert.Equal(2, epsilons.Count);
        Assert.True(epsilons[0] > 0 && epsilons[0] < epsilons[1], $"epsilon per epoch: {string.Join(", ", epsilons)}");
        Assert.True(epsilons[1] <= 2.0 + 1e-9, $"the final epsilon {epsilons[1]} exceeds the target 2");
        var (_, metadata) = ModelLoop.Artifacts.ModelArtifact.ReadMetadata(result.PackagePath);
        Assert.Equal(epsilons[1], metadata.Metrics[PrivateTraining.EpsilonMetric], 9);
    }
}
