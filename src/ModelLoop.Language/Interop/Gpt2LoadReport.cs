using System.Text;

namespace ModelLoop.Language.Interop;

/// <summary>
/// What loading GPT-2-layout weights found, by the file's tensor names: tensors the model needs that the file lacks
/// (left at their initial values when loading non-strictly), tensors the model has no place for, tensors of the wrong
/// shape, and tensors deliberately skipped (GPT-2's attention-mask buffers h.N.attn.bias / masked_bias, and lm_head,
/// which is tied to wte).
/// </summary>
public sealed record Gpt2LoadReport
{
    /// <summary>The prefix the file's names carry: "transformer." (GPT2LMHeadModel) or "" (GPT2Model).</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The dtypes the file stores (F32, F16, BF16); everything is converted to float32.</summary>
    public IReadOnlyList<string> DTypes { get; init; } = [];

    /// <summary>Tensors loaded into the model.</summary>
    public int Loaded { get; init; }

    /// <summary>Tensors the model needs that the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];

    /// <summary>Tensors in the file the model has no place for.</summary>
    public IReadOnlyList<string> Unexpected { get; init; } = [];

    /// <summary>Tensors whose shape differs from the model's.</summary>
    public IReadOnlyList<TensorShapeMismatch> Mismatched { get; init; } = [];

    /// <summary>Tensors skipped on purpose: attention-mask buffers, and a head tied to wte.</summary>
    public IReadOnlyList<string> Ignored { get; init; } = [];

    /// <summary>True when every tensor the model needs was loaded and nothing in the file was left unexplained.</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    public override string ToString()
    {
        var text = new StringBuilder($"{Loaded} tensors loaded ({string.Join(", ", DTypes)}, prefix '{Prefix}')");
        if (Missing.Count > 0)
            text.Append($"; missing {Missing.Count}: {List(Missing)}");
        if (Unexpected.Count > 0)
            text.Append($"; unexpected {Unexpected.Count}: {List(Unexpected)}");
        if (Mismatched.Count > 0)
            text.Append($"; mis-shaped {Mismatched.Count}: {List(Mismatched.Select(m => m.ToString()).ToList())}");
        if (Ignored.Count > 0)
            text.Append($"; ignored {Ignored.Count} (mask buffers, tied head)");
        return text.ToString();
    }

    private static string List(IReadOnlyList<string> names) =>
        names.Count <= 10 ? string.Join(", ", names) : string.Join(", ", names.Take(10)) + $", … ({names.Count} in all)";
}
