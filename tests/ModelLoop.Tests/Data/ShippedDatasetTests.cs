using ModelLoop.Data;

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
        using var table = CsvTable.Load(Path.Combine(DatasetsFolder(), "breast_cancer.csv"), "target", LabelKind.ClassIndex);

        Assert.Equal([569L, 30], table.Features.shape);
        Assert.Equal(357, table.Labels.sum().item<long>()); // 357 benign (1), 212 malignant (0)
        Assert.Equal((0, 1), table.LabelRange());
    }

    [Fact]
    public void DiabetesLoadsAs10FeaturesAndARegressionTarget()
    {
        using var table = CsvTable.Load(Path.Combine(DatasetsFolder(), "diabetes.csv"), "target", LabelKind.Value);

        Assert.Equal([442L, 10], table.Features.shape);
        Assert.Equal([442L, 1], table.Labels.shape);
        Assert.Equal((25, 346), table.LabelRange());
    }
}
