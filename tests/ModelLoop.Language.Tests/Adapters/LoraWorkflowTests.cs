using ModelLoop.Language.Adapters;
using ModelLoop.Language.Corpora;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Adapters;

public sealed class LoraWorkflowTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lora-workflow-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_package_fine_tuned_and_merged_computes_what_the_base_with_the_adapter_computes()
    {
        CorpusDocument[] documents = [.. Enumerable.Range(0, 40).Select(i => new CorpusDocument("t", $"entry {i}: the cat sat on mat {i % 7}"))];
        var tokenizer = CharTokenizer.FromCorpus(documents.Select(d => d.Text));
        torch.manual_seed(3);
        using (var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 16, layers: 1, heads: 2, width: 16))
            LanguageModelPackage.Save(model, tokenizer, Path.Combine(_folder, "base"));
        string basePackage = Path.Combine(_folder, "base"), adapterFolder = Path.Combine(_folder, "adapter"), merged = Path.Combine(_folder, "merged");

        var outcome = LoraWorkflow.FineTune(basePackage, documents, adapterFolder, new LoraFineTuningOptions { MaxIterations = 10, BatchSize = 4, LearningRate = 1e-2 });
        LoraWorkflow.Merge(basePackage, adapterFolder, merged);

        using var original = LanguageModelPackage.Load(basePackage);
        using var combined = LanguageModelPackage.Load(merged);
        using var adapter = LoraAdapter.Load(adapterFolder);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = randint(0, tokenizer.VocabularySize, [2, 16], dtype: ScalarType.Int64);
        original.Model.Network.eval();
        combined.Model.Network.eval();
        Tensor applied;
        using (adapter.ApplyTo(original.Model))
            applied = original.Model.Network.forward(input);

        Assert.True(combined.Model.Network.forward(input).allclose(applied, rtol: 0, atol: 1e-5));
        Assert.False(original.Model.Network.forward(input).allclose(applied, rtol: 0, atol: 1e-4)); // the adapter trained
        Assert.Equal(adapter.ParameterCount, outcome.AdapterParameters);
        Assert.True(outcome.AdapterBytes > 0 && outcome.SizeRatio > 0);
        Assert.Equal(40, outcome.TrainDocuments + outcome.ValidationDocuments);
        Assert.InRange(outcome.ValidationDocuments, 1, 8);
    }
}
