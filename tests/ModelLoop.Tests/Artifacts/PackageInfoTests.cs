using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;

namespace ModelLoop.Tests.Artifacts;

public sealed class PackageInfoTests
{
    private static ArtifactMetadata Metadata(long[] output, IReadOnlyList<string>? names = null, PreprocessingPipeline? pipeline = null) => new()
    {
        Output = new TensorSchema(output, "F32", names),
        Preprocessing = pipeline is null ? null : JsonNode.Parse(pipeline.ToJson()),
    };

    private static PreprocessingPipeline Pipeline(string[] labels, LabelKind? kind = null)
    {
        var rows = labels.Select((label, i) => new string?[] { (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture), label }).ToArray();
        return PreprocessingPipeline.Fit(new RawTable(["x", "y"], rows), new PreprocessingOptions { LabelColumn = "y", LabelKind = kind });
    }

    [Fact]
    public void ALabelWithClassesMakesAClassifierNamedByThemWithSoftmaxProbabilities()
    {
        var info = PackageInfo.From(Metadata([3], pipeline: Pipeline(["cat", "dog", "eel", "cat", "dog", "eel"])));

        Assert.Equal(ModelTask.Classification, info.Task);
        Assert.Equal(["cat", "dog", "eel"], info.ClassNames);
        Assert.False(info.SingleLogitBinary);
        Assert.NotNull(info.Pipeline);
        var (predicted, probabilities) = info.Classify([1f, 3f, 2f]);
        Assert.Equal((1, "dog"), (predicted, info.Label(predicted)));
        var exp = new[] { Math.Exp(-2), 1, Math.Exp(-1) };
        for (var c = 0; c < 3; c++)
            Assert.Equal(exp[c] / exp.Sum(), probabilities[c], 6);
    }

    [Fact]
    public void TwoClassesAndOneOutputMakeASingleLogitBinaryClassifierWithSigmoidProbabilities()
    {
        var info = PackageInfo.From(Metadata([1], pipeline: Pipeline(["no", "yes", "no", "yes"])));

        Assert.Equal((ModelTask.Classification, true, 2), (info.Task, info.SingleLogitBinary, info.ClassCount));
        var (predicted, probabilities) = info.Classify([-1f]);
        var p = 1 / (1 + Math.Exp(1));
        Assert.Equal((0, "no"), (predicted, info.Label(predicted)));
        Assert.Equal(1 - p, probabilities[0], 6);
        Assert.Equal(p, probabilities[1], 6);
    }

    [Fact]
    public void AValueLabelMakesARegressionNamedAfterTheLabel()
    {
        var info = PackageInfo.From(Metadata([1], pipeline: Pipeline(["1.5", "2", "3.25"], LabelKind.Value)));

        Assert.Equal(ModelTask.Regression, info.Task);
        Assert.Equal("y", info.OutputName(0));
        Assert.Throws<InvalidOperationException>(() => info.Classify([1f]));
    }

    [Fact]
    public void WithoutALabelOneOutputIsARegressionAndSeveralAClassifierNamedByTheOutputSchema()
    {
        var regression = PackageInfo.From(Metadata([1]));
        var classifier = PackageInfo.From(Metadata([10], FashionMnist.ClassNames));
        var numbered = PackageInfo.From(Metadata([4]));

        Assert.Equal((ModelTask.Regression, "output0"), (regression.Task, regression.OutputName(0)));
        Assert.Equal((ModelTask.Classification, "Ankle boot"), (classifier.Task, classifier.Label(9)));
        Assert.Equal((ModelTask.Classification, "3", 4), (numbered.Task, numbered.Label(3), numbered.ClassCount));
    }

    [Fact]
    public void ClassesThatDoNotFitTheOutputAreRefusedNamingBothCounts()
    {
        var e = Assert.Throws<InvalidDataException>(() => PackageInfo.From(Metadata([5], pipeline: Pipeline(["a", "b", "c", "a"]))));

        Assert.Contains("3 classes", e.Message);
        Assert.Contains("outputs 5 values", e.Message);
    }
}
