using ModelLoop.Language.Adapters;
using ModelLoop.Language.Data;
using ModelLoop.Modeling.Zoo;
using TorchSharp;

namespace ModelLoop.Language.Tests.Adapters;

public sealed class LoraFineTuningTests
{
    [Fact]
    public void Fine_tuning_trains_only_the_adapter_and_lowers_the_loss_on_the_new_text()
    {
        // Token ids of a repeating pattern the untrained base cannot predict; validation is the same pattern.
        int[] stream = [.. Enumerable.Range(0, 400).Select(i => (i * 7 + i / 5) % 23)];
        using var train = new PackedSequenceDataset(stream, 12);
        using var validation = new PackedSequenceDataset(stream[..120], 12);
        torch.manual_seed(1);
        using var model = SequenceZoo.Gpt(23, 12, layers: 1, heads: 2, width: 16);
        // The head is the frozen token embedding: at GPT-2's 0.02 scale its logits could barely move whatever the
        // adapters do, so give the base embeddings of a trained model's size.
        using (torch.no_grad())
            model.Network.named_parameters().Single(p => p.name.EndsWith("wte.weight", StringComparison.Ordinal)).parameter.mul_(50);
        var checksum = LoraAdapter.ComputeBaseChecksum(model);

        var result = LoraFineTuning.Run(model, train, validation, new LoraFineTuningOptions
        {
            Lora = new LoraOptions { Rank = 8, Alpha = 32 },
            MaxIterations = 80,
            BatchSize = 8,
            LearningRate = 3e-2,
        });
        using var adapter = result.Adapter;

        Assert.Equal(checksum, LoraAdapter.ComputeBaseChecksum(model));           // the base did not move
        Assert.All(model.Network.parameters(), p => Assert.True(p.requires_grad)); // and is left trainable as it was
        Assert.True(result.ValidationLoss < result.BaseValidationLoss - 0.3, $"{result.BaseValidationLoss} → {result.ValidationLoss}");
        Assert.False(adapter.IsApplied);
        Assert.Single(result.History.Epochs);
    }
}
