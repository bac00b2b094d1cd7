using System.Text.Json;
using ModelLoop.Language.Corpora;
using ModelLoop.Language.Evaluation;
using ModelLoop.Language.Packaging;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Evaluation;

public sealed class LanguageModelScoringTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    // −Σ log p(next | prefix) of one sequence in one forward (it must fit the block): the reference for the batched scorer.
    private static double LossOf(LanguageModelPackage package, long[] sequence)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        package.Model.Network.eval();
        var input = tensor(sequence[..^1]).unsqueeze(0);                       // (1, T)
        var logits = package.Model.Network.forward(input).squeeze(0);            // (T, V)
        return nn.functional.cross_entropy(logits, tensor(sequence[1..]), reduction: nn.Reduction.Sum).item<float>();
    }

    [Fact]
    public void Each_document_is_scored_from_end_of_text_through_end_of_text_in_windows_of_the_block()
    {
        using var package = LanguageModelPackage.Load(models.Long);
        var eot = package.Tokenizer.EndOfTextId;
        // 5 characters fit one window of the block size 16; 41 need three.
        CorpusDocument[] documents = [new("a", "Hello"), new("b", "The quick brown fox jumps over the lazy d")];
        long[] Sequence(string text) => [eot, .. package.Tokenizer.Encode(text).Select(i => (long)i), eot];

        var scores = LanguageModelScoring.Score(package, documents, batchSize: 2);

        var shortSequence = Sequence("Hello");
        Assert.Equal(6, scores.Documents[0].Tokens);
        Assert.Equal(LossOf(package, shortSequence), scores.Documents[0].LossSum, 3);
        var longSequence = Sequence(documents[1].Text);
        var windows = 0.0;
        for (var start = 0; start < longSequence.Length - 1; start += 16)
            windows += LossOf(package, longSequence[start..Math.Min(start + 17, longSequence.Length)]);
        Assert.True(longSequence.Length - 1 > 32); // three windows
        Assert.Equal(longSequence.Length - 1, scores.Documents[1].Tokens);
        Assert.Equal(windows, scores.Documents[1].LossSum, 3);
        Assert.Equal((scores.Documents[0].LossSum + scores.Documents[1].LossSum) / (6 + scores.Documents[1].Tokens), scores.MeanLoss, 12);
        Assert.Equal(Math.Exp(scores.MeanLoss), scores.Perplexity, 12);
    }

    [Fact]
    public void The_evaluation_report_has_the_training_curves_perplexity_and_every_test_document()
    {
        var output = Path.Combine(models.Folder, "eval-report");

        var outcome = LanguageModelEvaluationJob.Run(new LanguageModelEvaluationRequest { Model = models.Long, OutputDirectory = output, Home = Path.Combine(models.Folder, "home") });

        var html = File.ReadAllText(outcome.Report.Html);
        Assert.Contains("data-plot=\"training-loss\"", html);
        Assert.Contains("data-plot=\"document-loss\"", html);
        Assert.Contains("data-section=\"languageModel\"", html);
        using var json = JsonDocument.Parse(File.ReadAllText(outcome.Report.Json));
        var section = json.RootElement.GetProperty("languageModel");
        var testDocuments = HeldOutText.Documents(TrainedModels.Config(60), HeldOutSplit.Test);
        Assert.Equal(testDocuments.Count, section.GetProperty("perDocument").GetArrayLength());
        Assert.Equal(outcome.Scores.Perplexity, json.RootElement.GetProperty("summary").GetProperty("metrics").GetProperty("perplexity").GetDouble(), 9);
        Assert.Equal("LanguageModeling", json.RootElement.GetProperty("summary").GetProperty("task").GetString());
    }

    [Fact]
    public void The_test_documents_are_the_ones_the_run_held_out()
    {
        var config = TrainedModels.Config(60);
        using var data = ModelLoop.Language.Training.LanguageModelData.Load(config);

        var test = HeldOutText.Documents(config, HeldOutSplit.Test);
        var validation = HeldOutText.Documents(config, HeldOutSplit.Validation);

        Assert.Equal(data.Split.Test.Select(i => data.Documents[i].Text), test.Select(d => d.Text));
        Assert.Equal(data.Split.Validation.Select(i => data.Documents[i].Text), validation.Select(d => d.Text));
    }
}
