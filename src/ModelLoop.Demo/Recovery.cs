using ModelLoop.Artifacts;
using ModelLoop.Data;
using ModelLoop.Loop;
using ModelLoop.Registry;
using static TorchSharp.torch;

namespace ModelLoop.Demo;

/// <summary>Measures <see cref="RecoveryFigures"/>: both versions through their own pipelines on the same images, compared by <see cref="ChampionChallenger"/>.</summary>
internal static class Recovery
{
    public static RecoveryFigures Measure(ModelRegistry registry, string name, int before, int after, Traffic traffic)
    {
        using var champion = ModelPackage.From(registry.Load(name, before.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var challenger = ModelPackage.From(registry.Load(name, after.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var shifted = Compare(champion, challenger, traffic.RecoveryShifted, traffic.RecoveryLabels);
        var clean = Compare(champion, challenger, traffic.RecoveryClean, traffic.RecoveryLabels);
        return new RecoveryFigures(shifted["accuracy"].Champion, shifted["accuracy"].Challenger, shifted.McNemar?.PValue ?? double.NaN, shifted.Verdict.ToString(),
            clean["accuracy"].Champion, clean["accuracy"].Challenger, clean.Verdict.ToString());
    }

    private static Evaluation.ComparisonResult Compare(ModelPackage champion, ModelPackage challenger, Tensor images, Tensor labels)
    {
        using var championInputs = Inputs(champion, images);
        using var challengerInputs = Inputs(challenger, images);
        using var championSet = new TensorDataset(championInputs.alias(), labels.alias());
        using var challengerSet = new TensorDataset(challengerInputs.alias(), labels.alias());
        return ChampionChallenger.Compare(champion, championSet, challenger, challengerSet);
    }

    private static Tensor Inputs(ModelPackage package, Tensor images) =>
        package.Pipeline?.Image is not null ? package.Pipeline.TransformImages(images) : images.alias();
}
