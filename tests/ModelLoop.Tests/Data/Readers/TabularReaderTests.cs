using System.Text;
using ModelLoop.Data.Readers;

namespace ModelLoop.Tests.Data.Readers;

public sealed class TabularReaderTests : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void SchemaInferenceTellsNumericCategoricalTextDateAndEmptyColumnsApartAndCountsMissingCells()
    {
        var rows = new StringBuilder("id,size,color,note,day,blank\n");
        for (var i = 0; i < 60; i++)
            rows.Append($"{i},{(i % 7 == 0 ? "NA" : (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture))},{(i % 2 == 0 ? "red" : "blue")},note number {i},2024-01-{i % 28 + 1:00},\n");
        var path = _files.WriteText("mixed.csv", rows.ToString());

        var table = TabularReader.Read(path);

        Assert.Equal(60, table.Count);
        Assert.Equal([ColumnKind.Numeric, ColumnKind.Numeric, ColumnKind.Categorical, ColumnKind.Text, ColumnKind.Date, ColumnKind.Empty],
            table.Schema.Columns.Select(c => c.Kind));
        Assert.Equal(9, table.Schema["size"].Missing);
        Assert.Equal(2, table.Schema["color"].Distinct);
    }

    [Fact]
    public void TsvFilesAreSplitOnTabsAndQuotedFieldsMayHoldSeparatorsQuotesAndLineBreaks()
    {
        var tsv = _files.WriteText("t.tsv", "a\tb\n1\tx y\n");
        var csv = _files.WriteText("q.csv", "a,b\n\"1,5\",\"say \"\"hi\"\"\nthere\"\n");

        Assert.Equal("x y", TabularReader.Read(tsv).Rows[0][1]);
        var quoted = TabularReader.Read(csv);
        Assert.Equal("1,5", quoted.Rows[0][0]);
        Assert.Equal("say \"hi\"\nthere", quoted.Rows[0][1]);
    }

    [Fact]
    public void ARaggedRowIsAnErrorNamingTheFileTheLineAndBothFieldCounts()
    {
        var path = _files.WriteText("ragged.csv", "a,b,c\n1,2,3\n\n4,5\n");

        var error = Assert.Throws<FormatException>(() => TabularReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("line 4", error.Message);
        Assert.Contains("has 2 fields; expected 3", error.Message);
    }

    [Fact]
    public void BytesThatAreNotUtf8AreAnErrorNamingTheLine()
    {
        var path = _files.Write("latin1.csv", [.. "a,b\n1,ok\n2,caf"u8.ToArray(), 0xE9, (byte)'\n']);

        var error = Assert.Throws<FormatException>(() => TabularReader.Read(path));

        Assert.Contains("line 3", error.Message);
        Assert.Contains("not UTF-8", error.Message);
    }

    [Fact]
    public void DuplicateHeaderNamesAndAnEmptyFileAreErrorsThatSayWhatWasExpected()
    {
        var duplicate = _files.WriteText("dup.csv", "a,a\n1,2\n");
        var empty = _files.WriteText("empty.csv", "");

        Assert.Contains("appears 2 times", Assert.Throws<FormatException>(() => TabularReader.Read(duplicate)).Message);
        Assert.Contains("expected a header row", Assert.Throws<FormatException>(() => TabularReader.Read(empty)).Message);
    }

    [Fact]
    public void AWrittenTableReadsBackCellForCell()
    {
        var table = new RawTable(["name", "text"], [["a", "x, \"y\"\nz"], ["b", null]]);
        var path = _files.PathOf("out.csv");

        table.WriteCsv(path);
        var back = TabularReader.Read(path);

        Assert.Equal(table.Columns, back.Columns);
        Assert.Equal("x, \"y\"\nz", back.Rows[0][1]);
        Assert.True(SchemaInferenceOptions.Default.IsMissing(back.Rows[1][1]));
    }

    [Fact]
    public void DuplicateRowsAreRemovedKeepingTheFirstOccurrenceInOrder()
    {
        var table = new RawTable(["a", "b"], [["1", "x"], ["2", "y"], ["1", "x"], ["1", null]]);

        var (unique, removed) = table.WithoutDuplicates();

        Assert.Equal(1, removed);
        Assert.Equal(["1", "2", "1"], unique.Rows.Select(r => r[0]));
    }

    [Fact]
    public void ALargeFileStreamsInChunksWithTheSameRowsAsAWholeRead()
    {
        var path = _files.WriteText("big.csv", "a,b\n" + string.Concat(Enumerable.Range(0, 25).Select(i => $"{i},x{i}\n")));

        var chunks = TabularReader.ReadChunks(path, rowsPerChunk: 10).ToArray();

        Assert.Equal([10, 10, 5], chunks.Select(c => c.Count));
        Assert.All(chunks, c => Assert.Equal(["a", "b"], c.Columns));
        Assert.Equal(TabularReader.Read(path).Rows.Select(r => r[1]), chunks.SelectMany(c => c.Rows).Select(r => r[1]));
    }

    [Fact]
    public void AHeaderWithoutRowsIsAnEmptyTableAndABadRowInALaterChunkNamesItsLine()
    {
        var headerOnly = _files.WriteText("h.csv", "a,b\n");
        var bad = _files.WriteText("bad.csv", "a,b\n1,2\n3,4\n5\n");

        Assert.Equal(0, TabularReader.Read(headerOnly).Count);
        var error = Assert.Throws<FormatException>(() => TabularReader.ReadChunks(bad, rowsPerChunk: 1).ToArray());
        Assert.Contains("line 4 has 1 fields; expected 2", error.Message);
    }
}
