using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;

namespace ModelLoop.Tests.Data;

public sealed class ShippedDatasetTests
{
    private static string DatasetsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelLoop.slnx")))
                return Path.Combine(dir.FullName, "datasets");
        }
        throw new DirectoryNotFoundException($"No folder holding ModelLoop.slnx above '{AppContext.BaseDirectory}'.");
    }

    [Theory]
    [InlineData("breast_cancer.csv", 569, 31)]
    [InlineData("diabetes.csv", 442, 11)]
    public void EveryShippedCsvHasItsDocumentedNumberOfRowsAndColumns(string file, int rows, int columns)
    {
        var lines = File.ReadAllLines(Path.Combine(DatasetsFolder(), file));

        Assert.Equal(rows + 1, lines.Length); // plus the header
        Assert.Equal("target", lines[0].Split(',')[^1]);
        Assert.All(lines, line => Assert.Equal(columns, line.Split(',').Length));
        Assert.Equal(rows * columns, lines.Skip(1).Sum(line => line.Split(',').Length));
    }

    [Fact]
    public void BreastCancerLoadsAs30FeaturesAndBinaryLabels()
    {
        var table = TabularReader.Read(Path.Combine(DatasetsFolder(), "breast_cancer.csv"));

        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "target" });
        using var data = pipeline.ToDataset(table);

        Assert.Equal([569L, 30], data.Features.shape);
        Assert.Equal(LabelKind.ClassIndex, pipeline.Label!.Kind);
        Assert.Equal(["0", "1"], pipeline.Label.Classes);
        Assert.Equal(357, data.Labels.sum().item<long>()); // 357 benign (1), 212 malignant (0)
    }

    [Fact]
    public void DiabetesLoadsAs10FeaturesAndARegressionTarget()
    {
        var table = TabularReader.Read(Path.Combine(DatasetsFolder(), "diabetes.csv"));

        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "target" });
        using var data = pipeline.ToDataset(table);

        Assert.Equal([442L, 10], data.Features.shape);
        Assert.Equal([442L, 1], data.Labels.shape);
        Assert.Equal(LabelKind.Value, pipeline.Label!.Kind);
        Assert.Equal(25, data.Labels.min().item<float>());
        Assert.Equal(346, data.Labels.max().item<float>());
    }
}
