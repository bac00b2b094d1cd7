using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using static TorchSharp.torch;

namespace ModelLoop.Tests.Modeling;

public sealed class WeightTransferTests
{
    [Fact]
    public void PartialLoadCopiesMatchingTensorsAndReportsLoadedSkippedAndNew()
    {
        random.manual_seed(1);
        using var source = new Sequential(6) { new Dense(8, Activation.Relu), new BatchNorm(), new Dense(10) };
        using var target = new Sequential(6) { new Dense(8, Activation.Relu), new BatchNorm(), new Dense(2), new Dense(2) { Name = "extra" } };
        using (no_grad())
            source.Network.named_buffers().Single(b => b.name == "batchnorm_1.running_mean").buffer.fill_(0.25);
        var head = target.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        var report = WeightTransfer.Load(target, source);

        Assert.Equal(["dense_1.op.weight", "dense_1.op.bias", "batchnorm_1.weight", "batchnorm_1.bias", "batchnorm_1.running_mean", "batchnorm_1.running_var", "batchnorm_1.num_batches_tracked"],
            report.Loaded);
        Assert.Equal([("dense_2.weight", new Shape(10, 8), new Shape(2, 8)), ("dense_2.bias", new Shape(10), new Shape(2))], report.Skipped.Select(s => (s.Name, s.SourceShape, s.TargetShape)));
        Assert.Equal(["extra.weight", "extra.bias"], report.New);
        Assert.Empty(report.Unused);
        var from = source.Network.state_dict();
        var into = target.Network.state_dict();
        Assert.All(report.Loaded, name => Assert.True(from[name].allclose(into[name], 0, 0), name));
        Assert.True(into["dense_2.weight"].allclose(head["dense_2.weight"], 0, 0), "a skipped tensor keeps its fresh initialization");
        Assert.Contains("skipped 2 (shape): dense_2.weight (10, 8) → (2, 8)", report.ToString(), StringComparison.Ordinal);
    }
}
