using System.Threading.Channels;
using ModelLoop.Language.Generation;
using ModelLoop.Language.Generation.Scheduling;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using TorchSharp;

namespace ModelLoop.Language.Tests.Generation;

public sealed class GenerationSchedulerTests
{
    private static readonly CharTokenizer Characters = CharTokenizer.FromCorpus(["the quick brown fox jumps over a lazy dog. THE END!"]);

    private static readonly string[] Prompts = ["the fox", "a", "lazy dog jumps over", "THE END", "quick"];

    private static readonly GenerationOptions Greedy = new() { Temperature = 0, MaxNewTokens = 20, StopAtEndOfText = false };

    private static Sequential Tiny(int block = 64)
    {
        torch.manual_seed(11);
        return SequenceZoo.Gpt(Characters.VocabularySize, block, layers: 2, heads: 2, width: 32);
    }

    private static async Task<(string Text, int Tokens, FinishReason? Finish)[]> Collect(ChannelReader<GenerationUpdate> updates, int choices)
    {
        var texts = new string[choices];
        var tokens = new int[choices];
        var finishes = new FinishReason?[choices];
        await foreach (var update in updates.ReadAllAsync())
        {
            texts[update.Choice] += update.Text;
            tokens[update.Choice] = update.CompletionTokens;
            finishes[update.Choice] = update.Finished ?? finishes[update.Choice];
        }
        return [.. Enumerable.Range(0, choices).Select(i => (texts[i] ?? "", tokens[i], finishes[i]))];
    }

    [Fact]
    public async Task Concurrent_prompts_of_different_lengths_generate_what_each_generates_alone()
    {
        using var model = Tiny();
        var alone = Prompts.Select(p => new TextGenerator(model, Characters).Generate(p, Greedy)).ToList();
        using var scheduler = new GenerationScheduler(model, Characters, new GenerationSchedulerOptions { MaxSequences = 3 }); // fewer rows than prompts: some wait, then join

        var running = Prompts.Select(p => Collect(scheduler.Submit(Characters.Encode(p), Greedy), 1)).ToList();
        var results = await Task.WhenAll(running);

        for (var i = 0; i < Prompts.Length; i++)
        {
            Assert.Equal(alone[i].Text, results[i][0].Text);
            Assert.Equal(alone[i].TokenIds.Count, results[i][0].Tokens);
            Assert.Equal(FinishReason.Length, results[i][0].Finish);
        }
    }

    [Fact]
    public async Task Sequences_of_one_submission_share_their_forward_passes()
    {
        using var model = Tiny();
        using var scheduler = new GenerationScheduler(model, Characters);

        var results = await Collect(scheduler.Submit(Characters.Encode("the"), Greedy with { Temperature = 1.0, Seed = 3 }, count: 4), 4);

        Assert.All(results, r => Assert.Equal(20, r.Tokens));
        // 4 × 20 tokens: one prefill token each, then 19 shared decoding steps (a few more only if one joined a step late).
        Assert.InRange(scheduler.DecodeSteps, 19, 2 * 19 - 1);
        Assert.True(results.Select(r => r.Text).Distinct().Count() > 1, "seed + choice gives each choice its own sample");
    }

    [Fact]
    public async Task A_cancelled_submission_leaves_the_batch_at_once_and_the_others_go_on()
    {
        using var model = Tiny(block: 128);
        var alone = new TextGenerator(model, Characters).Generate("the fox", Greedy);
        using var scheduler = new GenerationScheduler(model, Characters);
        using var cut = new CancellationTokenSource();

        var endless = scheduler.Submit(Characters.Encode("a"), Greedy with { MaxNewTokens = 120 }, cancellationToken: cut.Token);
        Assert.True(await endless.WaitToReadAsync());
        var other = Collect(scheduler.Submit(Characters.Encode("the fox"), Greedy), 1);
        await cut.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { await foreach (var _ in endless.ReadAllAsync()) { } });
        Assert.Equal(alone.Text, (await other)[0].Text);
        for (var wait = 0; wait < 200 && scheduler.ActiveSequences > 0; wait++)
            await Task.Delay(50);
        Assert.Equal(0, scheduler.ActiveSequences);
        Assert.True(scheduler.DecodeSteps < 119, $"the cancelled sequence stopped early ({scheduler.DecodeSteps} steps)");
    }

    [Fact]
    public void Prompts_that_cannot_run_are_refused_before_they_join()
    {
        using var model = Tiny(block: 16);
        using var scheduler = new GenerationScheduler(model, Characters);

        var tooLong = Assert.Throws<ArgumentException>(() => scheduler.Submit(Characters.Encode("the quick brown"), Greedy));
        var outside = Assert.Throws<ArgumentException>(() => scheduler.Submit([Characters.VocabularySize + 3], Greedy with { MaxNewTokens = 2 }));

        Assert.Contains("block size of 16", tooLong.Message);
        Assert.Contains("outside this model's vocabulary", outside.Message);
        Assert.Equal(0, scheduler.WaitingSequences);
    }
}
