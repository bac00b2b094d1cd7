using ModelLoop.Language.Corpora;

namespace ModelLoop.Language.Tests.Corpora;

public sealed class FortunesCorpusTests
{
    [Fact]
    public void Entries_are_the_text_between_percent_lines_named_by_their_file()
    {
        var folder = Directory.CreateTempSubdirectory("fortunes").FullName;
        try
        {
            var path = Path.Combine(folder, "wisdom");
            File.WriteAllText(path, "First line\nsecond line\n%\n\n%\nOnly one  \n%\nLast without a trailing percent\n");
            var documents = FortunesCorpus.ReadFile(path).ToList();

            Assert.Equal(
            [
                new CorpusDocument("wisdom", "First line\nsecond line"),
                new CorpusDocument("wisdom", "Only one"),
                new CorpusDocument("wisdom", "Last without a trailing percent"),
            ], documents);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_folder_reads_fortune_files_and_skips_indexes_and_links()
    {
        var folder = Directory.CreateTempSubdirectory("fortunes").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "b"), "two\n%\nthree\n%\n");
            File.WriteAllText(Path.Combine(folder, "a"), "one\n%\n");
            File.WriteAllText(Path.Combine(folder, "a.dat"), "index");
            File.WriteAllText(Path.Combine(folder, "a.u8"), "copy\n%\n");

            Assert.Equal(["one", "two", "three"], FortunesCorpus.ReadFolder(folder).Select(d => d.Text));
            Assert.Equal(["two", "three"], FortunesCorpus.ReadFolder(folder, ["b"]).Select(d => d.Text));
            var error = Assert.Throws<ArgumentException>(() => FortunesCorpus.ReadFolder(folder, ["c"]));
            Assert.Contains("Expected some of: a, b", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_shipped_samples_hold_one_document_per_percent_line()
    {
        var separators = File.ReadLines(Samples.Fixture("fortunes-zh-sample")).Count(l => l == "%");
        Assert.Equal(separators, Samples.Chinese.Count);
        Assert.Contains(Samples.Chinese, d => d.Text.Contains("草木有本心", StringComparison.Ordinal));
    }

    [Fact]
    public void The_split_by_document_is_disjoint_complete_and_the_same_for_the_same_seed()
    {
        var documents = Samples.English;
        var split = CorpusSplit.ByDocument(documents, validation: 0.2, seed: 7);
        var again = CorpusSplit.ByDocument(documents, validation: 0.2, seed: 7);
        var other = CorpusSplit.ByDocument(documents, validation: 0.2, seed: 8);

        Assert.Equal(documents.Count, split.Train.Count + split.Validation.Count);
        Assert.Equal((int)Math.Round(documents.Count * 0.2), split.Validation.Count);
        Assert.Equal(documents.Select(d => d.Text).Order(), split.Train.Concat(split.Validation).Select(d => d.Text).Order());
        Assert.Equal(split.Validation, again.Validation);
        Assert.NotEqual(split.Validation, other.Validation);
    }
}
