using ModelLoop.Language.Corpora;
using ModelLoop.Language.Data;
using ModelLoop.Language.Tokenization;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Data;

public sealed class PackedSequenceDatasetTests
{
    private static readonly CharTokenizer Characters = CharTokenizer.FromCorpus(Samples.Texts);

    [Fact]
    public void Documents_are_packed_in_order_each_followed_by_end_of_text()
    {
        var tokenizer = CharTokenizer.FromCorpus(["abc", "de"]);
        using var data = PackedSequenceDataset.FromDocuments(["abc", "de"], tokenizer, blockSize: 2);

        int[] expected = [.. tokenizer.Encode("abc"), tokenizer.EndOfTextId, .. tokenizer.Encode("de"), tokenizer.EndOfTextId];
        Assert.Equal(expected.Select(i => (long)i), data.Tokens.data<long>().ToArray());
    }

    [Fact]
    public void A_random_window_is_a_slice_of_the_stream_and_its_target_is_the_input_shifted_by_one()
    {
        using var data = PackedSequenceDataset.FromDocuments(Samples.English.Select(d => d.Text), Characters, blockSize: 16);
        using var scope = NewDisposeScope();
        var (input, target) = data.RandomBatch(8, new Random(3));
        var stream = data.Tokens.data<long>().ToArray();

        Assert.Equal([8L, 16], input.shape);
        Assert.Equal([8L, 16], target.shape);
        for (var b = 0; b < 8; b++)
        {
            var window = input[b].data<long>().ToArray().Append(target[b, 15].item<long>()).ToArray();
            Assert.Equal(input[b, 1..].data<long>().ToArray(), target[b, ..15].data<long>().ToArray());
            Assert.Contains(Enumerable.Range(0, stream.Length - 16), o => stream.AsSpan(o, 17).SequenceEqual(window));
        }
    }

    [Fact]
    public void The_same_seed_draws_the_same_windows_and_another_seed_others()
    {
        using var data = PackedSequenceDataset.FromDocuments(Samples.English.Select(d => d.Text), Characters, blockSize: 16);
        using var scope = NewDisposeScope();
        var first = data.RandomBatch(4, new Random(5)).Input;
        var again = data.RandomBatch(4, new Random(5)).Input;
        var other = data.RandomBatch(4, new Random(6)).Input;

        Assert.Equal(first.data<long>().ToArray(), again.data<long>().ToArray());
        Assert.NotEqual(first.data<long>().ToArray(), other.data<long>().ToArray());
    }

    [Fact]
    public void Sequential_batches_cover_the_stream_once_in_whole_windows()
    {
        var tokenizer = CharTokenizer.FromCorpus(["abcdefghij"]);
        using var data = PackedSequenceDataset.FromDocuments(["abcdefghij"], tokenizer, blockSize: 3); // 11 tokens → 3 windows
        using var scope = NewDisposeScope();
        var batches = data.SequentialBatches(2).ToList();

        Assert.Equal([2L, 1], batches.Select(b => b.Input.shape[0]));
        var inputs = batches.SelectMany(b => b.Input.data<long>().ToArray()).Select(i => (int)i).ToList();
        Assert.Equal("abcdefghi", tokenizer.Decode(inputs));
        Assert.Equal(tokenizer.Encode("j")[0], batches[^1].Target[0, 2].item<long>());
    }

    [Fact]
    public void The_split_packs_validation_documents_apart_from_training_ones()
    {
        var documents = Samples.English;
        var (train, validation) = PackedSequenceDataset.Split(documents, Characters, blockSize: 8, validation: 0.25, seed: 4);
        using (train)
        using (validation)
        {
            var held = CorpusSplit.ByDocument(documents, 0.25, 4).Validation;
            var text = Characters.Decode([.. validation.Tokens.data<long>().ToArray().Select(i => (int)i)]);
            Assert.Equal(string.Concat(held.Select(d => d.Text + SpecialTokens.EndOfText)), text);
            Assert.Equal(documents.Sum(d => Characters.Encode(d.Text).Count + 1), train.TokenCount + validation.TokenCount);
        }
    }

    [Fact]
    public void A_stream_shorter_than_one_window_is_refused_with_both_sizes_named()
    {
        var tokenizer = CharTokenizer.FromCorpus(["ab"]);
        var error = Assert.Throws<ArgumentException>(() => PackedSequenceDataset.FromDocuments(["ab"], tokenizer, blockSize: 8));
        Assert.Contains("holds 3 tokens", error.Message, StringComparison.Ordinal);
        Assert.Contains("blockSize + 1 = 9", error.Message, StringComparison.Ordinal);
    }
}
