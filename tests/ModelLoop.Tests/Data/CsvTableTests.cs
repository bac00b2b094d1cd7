using ModelLoop.Data;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Data;

public sealed class CsvTableTests : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ClassLabelsLoadAsInt64AndTheOtherColumnsAsFloat32FeaturesInFileOrder()
    {
        var path = _files.WriteText("t.csv", "a,label,b\n1.5,0,2\n-3,1,4e1\n");

        using var table = CsvTable.Load(path, "label", LabelKind.ClassIndex);

        Assert.Equal([2L, 2], table.Features.shape);
        Assert.Equal(ScalarType.Float32, table.Features.dtype);
        Assert.Equal([1.5f, 2f, -3f, 40f], table.Features.data<float>().ToArray());
        Assert.Equal(ScalarType.Int64, table.Labels.dtype);
        Assert.Equal([0L, 1], table.Labels.data<long>().ToArray());
    }

    [Fact]
    public void ValueLabelsLoadAsAFloat32Column()
    {
        var path = _files.WriteText("r.csv", "x,y\n1,0.25\n2,151\n");

        using var table = CsvTable.Load(path, "y", LabelKind.Value);

        Assert.Equal([2L, 1], table.Labels.shape);
        Assert.Equal(ScalarType.Float32, table.Labels.dtype);
        Assert.Equal([0.25f, 151f], table.Labels.data<float>().ToArray());
    }

    [Fact]
    public void QuotedFieldsSpacesAndBlankLinesAreAccepted()
    {
        var path = _files.WriteText("q.csv", "\"x, first\",\"y\"\r\n\r\n \"1.0\" , 2 \r\n\n3,\"4\"\r\n");

        using var table = CsvTable.Load(path, "y", LabelKind.Value);

        Assert.Equal([1f, 3f], table.Features.data<float>().ToArray());
        Assert.Equal([2f, 4f], table.Labels.data<float>().ToArray());
    }

    [Fact]
    public void ARaggedRowIsAnErrorGivingTheLineAndBothFieldCounts()
    {
        var path = _files.WriteText("ragged.csv", "a,b,c\n1,2,3\n\n4,5\n");

        var error = Assert.Throws<FormatException>(() => CsvTable.Load(path, "c", LabelKind.Value));

        Assert.Contains(path, error.Message);
        Assert.Contains("line 4", error.Message);
        Assert.Contains("has 2 fields", error.Message);
        Assert.Contains("expected 3", error.Message);
    }

    [Fact]
    public void ANonNumericCellIsAnErrorGivingTheLineColumnAndValue()
    {
        var path = _files.WriteText("text.csv", "age,sex,target\n59,2,151\n48,male,75\n");

        var error = Assert.Throws<FormatException>(() => CsvTable.Load(path, "target", LabelKind.Value));

        Assert.Contains("line 3", error.Message);
        Assert.Contains("column 'sex'", error.Message);
        Assert.Contains("'male'", error.Message);
    }

    [Fact]
    public void AMissingLabelColumnIsAnErrorListingTheColumns()
    {
        var path = _files.WriteText("cols.csv", "age,bmi,progression\n1,2,3\n");

        var error = Assert.Throws<FormatException>(() => CsvTable.Load(path, "target", LabelKind.Value));

        Assert.Contains("'target'", error.Message);
        Assert.Contains("age, bmi, progression", error.Message);
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("-1")]
    public void AClassLabelThatIsNotAWholeNumberAtLeastZeroIsAnErrorGivingItsLine(string label)
    {
        var path = _files.WriteText("labels.csv", $"x,y\n\n1,0\n2,{label}\n");

        var error = Assert.Throws<FormatException>(() => CsvTable.Load(path, "y", LabelKind.ClassIndex));

        Assert.Contains("line 4", error.Message);
        Assert.Contains(label, error.Message);
        Assert.Contains("LabelKind.Value", error.Message);
    }

    [Theory]
    [InlineData("", "file is empty")]
    [InlineData("x,y\n", "no data rows")]
    [InlineData("x,x\n1,2\n", "appears 2 times")]
    [InlineData("x,y\n1,\"2\n", "unclosed double quote")]
    public void MalformedFilesAreErrorsThatSayWhatIsWrong(string text, string expected)
    {
        var path = _files.WriteText("bad.csv", text);

        var error = Assert.Throws<FormatException>(() => CsvTable.Load(path, "x", LabelKind.Value));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void StandardizeFitsOnTheTrainingSetOnlyAndAppliesTheSameStatisticsToTheOthers()
    {
        using var train = new TensorDataset(tensor(new float[] { 1, 10, 3, 10, 5, 10 }, [3, 2]), tensor(new long[] { 0, 1, 0 }));
        using var test = new TensorDataset(tensor(new float[] { 7, 4 }, [1, 2]), tensor(new long[] { 1 }));

        var (means, stds) = CsvTable.Standardize(train, test);

        // Column 0: mean 3, population std √(8/3); column 1 is constant: centred, std reported as 1.
        var std0 = (float)Math.Sqrt(8.0 / 3.0);
        Assert.Equal([3f, 10f], means);
        Assert.Equal(std0, stds[0], 5);
        Assert.Equal(1f, stds[1]);
        Assert.Equal(0f, train.Features[.., 0].mean().item<float>(), 5);
        Assert.Equal(1f, train.Features[.., 0].std(unbiased: false).item<float>(), 5);
        Assert.Equal([0f, 0f, 0f], train.Features[.., 1].data<float>().ToArray());
        Assert.Equal((7 - 3) / std0, test.Features[0, 0].item<float>(), 5); // the training statistics, not the test row's own
        Assert.Equal(-6f, test.Features[0, 1].item<float>(), 5);
    }

    [Fact]
    public void ReturnedStatisticsStandardizeDataThatArrivesLaterTheSameWay()
    {
        using var train = new TensorDataset(tensor(new float[] { 1, 2, 3, 6 }, [2, 2]), tensor(new float[] { 0, 1 }, [2, 1]));
        using var later = new TensorDataset(tensor(new float[] { 3, 6 }, [1, 2]), tensor(new float[] { 0 }, [1, 1]));
        var (means, stds) = CsvTable.Standardize(train);

        CsvTable.ApplyStandardization(later, means, stds);

        Assert.Equal(train.Features[1].data<float>().ToArray(), later.Features[0].data<float>().ToArray());
    }

    [Fact]
    public void StatisticsOfTheWrongWidthAreRejected()
    {
        using var data = new TensorDataset(tensor(new float[] { 1, 2, 3 }, [1, 3]), tensor(new long[] { 0 }));

        var error = Assert.Throws<ArgumentException>(() => CsvTable.ApplyStandardization(data, [0f, 0f], [1f, 1f]));

        Assert.Contains("3 feature columns", error.Message);
        Assert.Contains("2 means", error.Message);
    }
}
