using ModelLoop.Artifacts;
using ModelLoop.Optimization.Pruning;
using ModelLoop.Tests.Training;

namespace ModelLoop.Optimization.Tests.Pruning;

/// <summary>The pruning job: parent package → pruned, fine-tuned package with lineage, on the parent's data.</summary>
public sealed class PruningJobTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Pruning_a_package_writes_a_sparse_fine_tuned_package_naming_its_parent()
    {
        var parent = CompressionFixtures.TrainParent(_folder.File("parent"));

        var result = PruningJob.Run(parent, new PruningOptions { Sparsity = 0.8, Schedule = PruningSchedule.Polynomial, UpdateEvery = 5 },
            new PruningJobOptions { Epochs = 2, Training = CompressionFixtures.Options(_folder.File("pruned")) });

        using var package = ModelPackage.Load(result.PackagePath);
        Assert.Equal(Path.GetFullPath(parent), package.Lineage.ParentModel);
        Assert.InRange(result.Sparsity.Overall, 0.8 - 1.0 / result.Sparsity.Elements, 0.8 + 1.0 / result.Sparsity.Elements);
        Assert.Equal(result.Sparsity.Overall, package.Metadata.Metrics["sparsity"], 9);
        Assert.Equal(result.Parameters - result.Sparsity.Zeros, (long)package.Metadata.Metrics["parameters_nonzero"]);
        Assert.Equal(result.Sparsity.Zeros, SparsityReport.Measure(package.Model).Zeros); // the zeros are in the saved weights
        Assert.Contains("magnitude pruning", package.Metadata.Description, StringComparison.Ordinal);
        Assert.InRange(result.Test["accuracy"], result.ParentTest["accuracy"] - 0.1, 1.0);
    }

    [Fact]
    public void Channel_pruning_a_package_writes_a_smaller_dense_package()
    {
        var parent = CompressionFixtures.TrainParent(_folder.File("parent"));

        var result = PruningJob.Run(parent, new PruningOptions { Sparsity = 0.5, Structure = PruningStructure.Channels },
            new PruningJobOptions { Epochs = 1, Training = CompressionFixtures.Options(_folder.File("narrow")) });

        using var package = ModelPackage.Load(result.PackagePath);
        Assert.True(result.Parameters < result.ParentParameters / 2, $"{result.Parameters} of {result.ParentParameters}");
        Assert.Equal(result.Parameters, package.Model.ParameterCount);
        Assert.Equal([32, 16], result.Channels.Select(c => c.After));
        Assert.Equal(Path.GetFullPath(parent), package.Lineage.ParentModel);
        Assert.InRange(result.Test["accuracy"], result.ParentTest["accuracy"] - 0.1, 1.0);
    }

    [Fact]
    public void A_bad_sparsity_is_refused_before_anything_is_loaded()
    {
        var error = Assert.Throws<ArgumentException>(() => PruningJob.Run(_folder.File("no-such-model"), new PruningOptions { Sparsity = 1.5 }));

        Assert.Contains("sparsity must be in (0, 1)", error.Message, StringComparison.Ordinal);
    }
}
