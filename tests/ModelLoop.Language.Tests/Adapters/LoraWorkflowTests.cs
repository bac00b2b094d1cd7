using ModelLoop.Language.Adapters;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Language.Tests.Adapters;

public sealed class LoraWorkflowTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lora-workflow").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_package_merged_with_an_adapter_computes_what_the_base_with_the_adapter_applied_computes()
    {
        var tokenizer = CharTokenizer.FromCorpus(Samples.English.Select(d => d.Text));
        string basePackage = Path.Combine(_folder, "base"), adapterFolder = Path.Combine(_folder, "adapter"), merged = Path.Combine(_folder, "merged");
        torch.manual_seed(3);
        using (var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 16, layers: 1, heads: 2, width: 16))
        {
            LanguageModelPackage.Save(model, tokenizer, basePackage);
            using var made = LoraAdapter.Create(model, new LoraOptions { Rank = 2 });
            using (no_grad())
                foreach (var module in made.Layers.Values)
                    module.WeightB.copy_(randn_like(module.WeightB) * 0.1); // a trained adapter: B away from zero
            made.Save(adapterFolder);
        }

        LoraWorkflow.Merge(basePackage, adapterFolder, merged);

        using var original = LanguageModelPackage.Load(basePackage);
        using var combined = LanguageModelPackage.Load(merged);
        using var adapter = LoraAdapter.Load(adapterFolder);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = randint(0, tokenizer.VocabularySize, [2, 16], dtype: ScalarType.Int64, generator: new Generator(5));
        original.Model.Network.eval();
        combined.Model.Network.eval();
        Tensor applied;
        using (adapter.ApplyTo(original.Model))
            applied = original.Model.Network.forward(input);

        Assert.True(combined.Model.Network.forward(input).allclose(applied, rtol: 0, atol: 1e-5));
        Assert.False(original.Model.Network.forward(input).allclose(applied, rtol: 0, atol: 1e-4));
        Assert.Equal(tokenizer.VocabularySize, combined.Tokenizer.VocabularySize);
    }

    [Fact]
    public void Merging_into_another_base_is_refused_naming_the_adapters_base()
    {
        var tokenizer = CharTokenizer.FromCorpus(Samples.English.Select(d => d.Text));
        string first = Path.Combine(_folder, "first"), second = Path.Combine(_folder, "second"), adapterFolder = Path.Combine(_folder, "adapter");
        foreach (var (folder, seed) in new[] { (first, 1), (second, 2) })
        {
            torch.manual_seed(seed);
            using var model = SequenceZoo.Gpt(tokenizer.VocabularySize, 16, layers: 1, heads: 2, width: 16);
            LanguageModelPackage.Save(model, tokenizer, folder);
            if (folder == first)
            {
                using var adapter = LoraAdapter.Create(model, baseName: first);
                adapter.Save(adapterFolder);
            }
        }

        var error = Assert.Throws<LoraBaseMismatchException>(() => LoraWorkflow.Merge(second, adapterFolder, Path.Combine(_folder, "merged")));

        Assert.Contains(first, error.Message);
        Assert.False(Directory.Exists(Path.Combine(_folder, "merged")));
    }
}
