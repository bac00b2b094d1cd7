using System.Globalization;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// The shape of a set of LoRA adapters (Hu et al., 2021): each targeted linear projection W (out, in) gets a trainable
/// low-rank update ΔW = (α / r) · B · A with A (r, in) and B (out, r), while W stays frozen. B starts at zero, so a fresh
/// adapter leaves the model's output unchanged.
/// </summary>
public sealed record LoraOptions
{
    /// <summary>GPT-2's attention and MLP projections, the modules adapted unless <see cref="Targets"/> says otherwise.</summary>
    public static readonly IReadOnlyList<string> GptProjections = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"];

    /// <summary>The rank r of each update: A is (r, in), B is (out, r). Must be positive. Defaults to 8.</summary>
    public int Rank { get; init; } = 8;

    /// <summary>α: the update is scaled by α / r, so changing the rank does not change the update's size. Must be positive. Defaults to 16.</summary>
    public double Alpha { get; init; } = 16;

    /// <summary>Dropout on the adapter's input while training, in [0, 1). Defaults to 0.</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Which linear layers get an adapter, as name patterns matched against the end of each module's dotted path at a
    /// dot boundary: "c_proj" adapts both attn.c_proj and mlp.c_proj, "attn.c_proj" only attention's, "h.0.attn.c_attn"
    /// only block 0's. Defaults to <see cref="GptProjections"/>.
    /// </summary>
    public IReadOnlyList<string> Targets { get; init; } = GptProjections;

    /// <summary>α / r, the factor on B · A.</summary>
    public double Scale => Alpha / Rank;

    /// <summary>Whether <paramref name="modulePath"/> (e.g. "transformer.h.3.mlp.c_fc") is one of <see cref="Targets"/>.</summary>
    public bool Matches(string modulePath) =>
        Targets.Any(t => modulePath == t || modulePath.EndsWith("." + t, StringComparison.Ordinal));

    /// <exception cref="ArgumentException">A field out of range; the message names it.</exception>
    public void Validate() => Validate(field => $"LoraOptions.{field}");

    /// <summary>Checks ranges; <paramref name="field"/> names a field in the messages (e.g. "language.lora.rank" for a config's).</summary>
    internal void Validate(Func<string, string> field)
    {
        if (Rank < 1)
            throw new ArgumentException($"{field(nameof(Rank))} must be a positive integer; received {Rank}. Typical ranks are 4–64.");
        if (!(Alpha > 0) || double.IsInfinity(Alpha))
            throw new ArgumentException($"{field(nameof(Alpha))} must be positive and finite; received {Alpha.ToString(CultureInfo.InvariantCulture)}. A common choice is twice the rank.");
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout))
            throw new ArgumentException($"{field(nameof(Dropout))} must be in [0, 1); received {Dropout.ToString(CultureInfo.InvariantCulture)}.");
        if (Targets is null || Targets.Count == 0 || Targets.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"{field(nameof(Targets))} must name at least one module pattern (e.g. {string.Join(", ", GptProjections)}); received [{string.Join(", ", Targets ?? [])}].");
    }
}
