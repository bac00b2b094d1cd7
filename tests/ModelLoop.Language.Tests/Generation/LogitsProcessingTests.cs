using ModelLoop.Language.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Generation;

public sealed class LogitsProcessingTests
{
    // Probabilities 0.5, 0.3, 0.15, 0.05 (in shuffled vocabulary order), as logits.
    private static Tensor Logits() => tensor(new[] { 0.15f, 0.5f, 0.05f, 0.3f }).log().unsqueeze(0); // (1, 4)

    private static bool[] Kept(Tensor filtered) => [.. filtered[0].isfinite().data<bool>()];

    [Theory]
    [InlineData(0.4, new[] { false, true, false, false })]  // 0.5 alone reaches 0.4
    [InlineData(0.75, new[] { false, true, false, true })]  // 0.5 + 0.3
    [InlineData(0.85, new[] { true, true, false, true })]   // 0.5 + 0.3 + 0.15
    [InlineData(0.99, new[] { true, true, true, true })]
    public void Top_p_keeps_the_smallest_set_of_likeliest_tokens_reaching_p(double p, bool[] expected)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(expected, Kept(LogitsProcessing.TopP(Logits(), p)));
    }

    [Fact]
    public void Top_k_keeps_the_k_likeliest_tokens()
    {
        using var scope = NewDisposeScope();
        Assert.Equal([false, true, false, true], Kept(LogitsProcessing.TopK(Logits(), 2)));
    }

    [Fact]
    public void The_repetition_penalty_moves_the_choice_off_a_seen_token()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        var logits = tensor(new[] { 2.0f, 1.5f, -0.5f }).unsqueeze(0);          // token 0 is the greedy choice
        var seen = tensor(new[] { true, false, true }).unsqueeze(0);
        var greedy = new GenerationOptions { Temperature = 0 };

        Assert.Equal(0, LogitsProcessing.Choose(logits, seen, greedy, generator).item<long>());
        Assert.Equal(0, LogitsProcessing.Choose(logits, seen, greedy with { RepetitionPenalty = 1.2 }, generator).item<long>()); // 2/1.2 > 1.5
        Assert.Equal(1, LogitsProcessing.Choose(logits, seen, greedy with { RepetitionPenalty = 2.0 }, generator).item<long>()); // 2/2 < 1.5
        // Negative logits are multiplied (pushed further down), not divided (which would raise them).
        var penalized = LogitsProcessing.PenalizeRepetition(logits, seen, 2.0);
        Assert.Equal(-1.0f, penalized[0, 2].item<float>());
        Assert.Equal(1.5f, penalized[0, 1].item<float>());
    }
}
