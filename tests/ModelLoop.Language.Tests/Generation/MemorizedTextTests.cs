using ModelLoop.Language.Generation;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Generation;

public sealed class MemorizedTextTests
{
    [Fact]
    public void A_gpt_overfitted_on_one_sentence_streams_it_back_whole_characters_and_all()
    {
        // Byte-level BPE that knows no CJK merges: each Chinese character is three byte tokens, so a token boundary
        // falls inside every character and the stream must hold bytes.
        const string sentence = "草木有本心，何求美人折？ said the old poet.";
        var tokenizer = BpeTrainer.Train(["said the old poet"], new BpeTrainerOptions { VocabularySize = 270 });
        List<long> ids = [.. tokenizer.Encode(sentence).Select(i => (long)i), tokenizer.EndOfTextId];
        torch.manual_seed(2);
        using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 64, layers: 1, heads: 2, width: 32);
        using (var scope = NewDisposeScope())
        {
            var sequence = tensor(ids.ToArray()).unsqueeze(0);                      // (1, T + 1)
            var (input, target) = (sequence[.., ..^1], sequence[.., 1..]);
            var optimizer = optim.AdamW(model.Network.parameters(), lr: 2e-2);
            model.Network.train();
            for (var step = 0; step < 100; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.Network.forward(input).reshape(-1, tokenizer.VocabularySize), target.reshape(-1)).backward();
                optimizer.step();
            }
        }
        var generator = new TextGenerator(model, tokenizer);
        var prompt = tokenizer.Decode([.. ids.Take(3).Select(i => (int)i)]);     // "草": its three bytes

        var pieces = generator.StreamAsync(prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = 60 }).ToBlockingEnumerable().ToList();
        var result = generator.Generate(prompt, new GenerationOptions { Temperature = 0, MaxNewTokens = 60 });

        Assert.Equal(sentence, string.Concat(pieces).Insert(0, "草"));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        Assert.Equal(FinishReason.EndOfText, result.FinishReason);
        Assert.Equal(ids.Count - 1 - 3, result.TokenIds.Count);
    }
}
