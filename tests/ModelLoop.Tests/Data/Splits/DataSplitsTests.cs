using ModelLoop.Data;
using ModelLoop.Data.Splits;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data.Splits;

public sealed class DataSplitsTests
{
    // 70 of class a, 20 of b, 10 of c, interleaved.
    private static readonly string[] Labels = Enumerable.Range(0, 100).Select(i => i % 10 < 7 ? "a" : i % 10 < 9 ? "b" : "c").ToArray();

    private static void AssertPartition(SplitIndices split, int count) =>
        Assert.Equal(Enumerable.Range(0, count), split.Train.Concat(split.Validation).Concat(split.Test).Order());

    [Fact]
    public void AStratifiedSplitKeepsEveryClassShareInEveryPart()
    {
        var split = DataSplits.Stratified(Labels, validation: 0.1, test: 0.2, seed: 7);

        AssertPartition(split, 100);
        Assert.Equal((14, 4, 2), Counts(split.Test));
        Assert.Equal((7, 2, 1), Counts(split.Validation));
        Assert.Equal((49, 14, 7), Counts(split.Train));
    }

    private static (int, int, int) Counts(IReadOnlyList<int> rows) =>
        (rows.Count(r => Labels[r] == "a"), rows.Count(r => Labels[r] == "b"), rows.Count(r => Labels[r] == "c"));

    [Fact]
    public void TheSameSeedGivesTheSameSplitAndAnotherSeedAnotherOne()
    {
        var a = DataSplits.Stratified(Labels, 0.1, 0.2, seed: 1);
        var b = DataSplits.Stratified(Labels, 0.1, 0.2, seed: 1);
        var c = DataSplits.Stratified(Labels, 0.1, 0.2, seed: 2);

        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
    }

    [Fact]
    public void AGroupSplitNeverPutsOneGroupInTwoParts()
    {
        var groups = Enumerable.Range(0, 200).Select(i => $"patient{i / 5}").ToArray();

        var split = DataSplits.ByGroup(groups, validation: 0.2, test: 0.2, seed: 3);

        AssertPartition(split, 200);
        var parts = new[] { split.Train, split.Validation, split.Test }.Select(p => p.Select(i => groups[i]).ToHashSet()).ToArray();
        Assert.Empty(parts[0].Intersect(parts[1]));
        Assert.Empty(parts[0].Intersect(parts[2]));
        Assert.Empty(parts[1].Intersect(parts[2]));
        Assert.InRange(split.Test.Count, 40, 44);
    }

    [Fact]
    public void KFoldValidatesEveryRowExactlyOnceWithFoldSizesWithinOne()
    {
        var folds = DataSplits.KFold(23, k: 5, seed: 4);

        Assert.Equal(Enumerable.Range(0, 23), folds.SelectMany(f => f.Validation).Order());
        Assert.All(folds, f => Assert.InRange(f.Validation.Count, 4, 5));
        Assert.All(folds, f => Assert.Empty(f.Train.Intersect(f.Validation)));
        Assert.All(folds, f => Assert.Equal(23, f.Train.Count + f.Validation.Count));
    }

    [Fact]
    public void StratifiedKFoldKeepsTheClassBalanceInEveryFold()
    {
        var folds = DataSplits.StratifiedKFold(Labels, k: 5, seed: 5);

        Assert.Equal(Enumerable.Range(0, 100), folds.SelectMany(f => f.Validation).Order());
        Assert.All(folds, f => Assert.Equal((14, 4, 2), Counts(f.Validation)));
    }

    [Fact]
    public void FractionsThatLeaveNothingToTrainOnAreRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DataSplits.Random(10, 0.5, 0.5, 1));

        Assert.Contains("sum to 1", error.Message);
    }

    [Fact]
    public void ASubsetOfADatasetHoldsTheChosenSamplesInOrder()
    {
        using var data = new TensorDataset(arange(10, dtype: ScalarType.Float32).view(5, 2), arange(5, dtype: ScalarType.Int64));

        using var subset = DataSplits.Subset(data, [4, 1]);

        Assert.Equal([4L, 1], subset.Labels.data<long>().ToArray());
        Assert.Equal([8f, 9, 2, 3], subset.Features.data<float>().ToArray());
        Assert.Equal([0L, 1, 2, 3, 4], DataSplits.ClassLabels(data));
    }

    [Fact]
    public void TheReadmeFlowSplitsTheShippedTableFitsOnTrainAndBuildsADataset()
    {
        var table = ModelLoop.Data.Readers.TabularReader.Read(ShippedData.Path("breast_cancer.csv"));

        var split = DataSplits.Stratified(table, "target", validation: 0.1, test: 0.2, seed: 42);
        var train = table.Select(split.Train);
        var pipeline = ModelLoop.Data.Preprocessing.PreprocessingPipeline.Fit(train, new ModelLoop.Data.Preprocessing.PreprocessingOptions { LabelColumn = "target" });
        using var data = pipeline.ToDataset(train);

        AssertPartition(split, 569);
        Assert.Equal([(long)split.Train.Count, 30], data.Features.shape);
        Assert.Equal(["0", "1"], pipeline.Label!.Classes);
    }

    [Fact]
    public void GroupKFoldKeepsEachGroupInOneValidationFoldAndBalancesFoldSizes()
    {
        var groups = Enumerable.Range(0, 120).Select(i => $"user{i % 24}").ToArray();   // 24 groups of 5

        var folds = DataSplits.GroupKFold(groups, k: 4, seed: 6);

        Assert.Equal(Enumerable.Range(0, 120), folds.SelectMany(f => f.Validation).Order());
        Assert.All(folds, f => Assert.Empty(f.Train.Select(i => groups[i]).Intersect(f.Validation.Select(i => groups[i]))));
        Assert.All(folds, f => Assert.Equal(30, f.Validation.Count));
        Assert.NotEqual(folds[0].Validation, DataSplits.GroupKFold(groups, k: 4, seed: 7)[0].Validation);
    }
}
