using ModelLoop.Data.Readers;

namespace ModelLoop.Tests.Data.Readers;

public sealed class TextCorpusTests : IDisposable
{
    private readonly IdxFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void LinesAreReadWithoutBomOrLineBreaksAndDocumentsSplitOnBlankLines()
    {
        var path = _files.Write("c.txt", [0xEF, 0xBB, 0xBF, .. "first ünïcode\r\nsecond\n\n\nthird\n"u8.ToArray()]);

        Assert.Equal(["first ünïcode", "second", "", "", "third"], TextCorpus.ReadLines(path));
        Assert.Equal(["first ünïcode\nsecond", "third"], TextCorpus.ReadDocuments(path));
    }

    [Fact]
    public void InvalidUtf8IsAnErrorNamingTheLineAndByteOffset()
    {
        var path = _files.Write("bad.txt", [.. "ok\nab"u8.ToArray(), 0xFF, .. "c\n"u8.ToArray()]);

        var error = Assert.Throws<FormatException>(() => TextCorpus.ReadLines(path).ToList());

        Assert.Contains(path, error.Message);
        Assert.Contains("line 2 (byte 5)", error.Message);
        Assert.Contains("FF", error.Message);
    }

    [Fact]
    public void AFolderIsReadAsOneDocumentPerFileInPathOrder()
    {
        Directory.CreateDirectory(_files.PathOf("corpus/sub"));
        File.WriteAllText(_files.PathOf("corpus/b.txt"), "bee");
        File.WriteAllText(_files.PathOf("corpus/sub/a.txt"), "ay\nsecond");
        File.WriteAllText(_files.PathOf("corpus/skip.md"), "no");

        var documents = TextCorpus.ReadFolder(_files.PathOf("corpus")).Select(d => d.Text).ToArray();

        Assert.Equal(["bee", "ay\nsecond"], documents);
    }
}
