using System.Security.Cryptography;
using System.Text;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Federated.Local;

/// <summary>
/// A model's parameters as one flat float32 vector, in <c>named_parameters()</c> order — the form in which weights
/// and updates travel (in chunks) between data owners and the coordinator. Buffers are not part of it, which is why
/// <see cref="JobModel"/> refuses BatchNorm (whose running statistics are buffers that training changes).
/// </summary>
internal static class ModelVector
{
    /// <summary>The parameters, concatenated: (Σ numel,).</summary>
    public static float[] Read(Model model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parts = model.Network.named_parameters().Select(p => p.parameter.detach().cpu().flatten()).ToArray();
        return cat(parts, 0).data<float>().ToArray();
    }

    /// <summary>Copies <paramref name="values"/> into the parameters, in place.</summary>
    public static void Write(Model model, ReadOnlySpan<float> values)
    {
        var length = Length(model);
        if (values.Length != length)
            throw new ArgumentException($"The weight vector has {values.Length:N0} values but the model has {length:N0} parameters; it belongs to another model. Build the model from the federated job's config.");
        using var _ = no_grad();
        var offset = 0;
        foreach (var (_, parameter) in model.Network.named_parameters())
        {
            var count = (int)parameter.numel();
            using var source = tensor(values.Slice(offset, count).ToArray(), parameter.shape).to(parameter.device);
            parameter.copy_(source);
            offset += count;
        }
    }

    public static int Length(Model model) => (int)model.Network.named_parameters().Sum(p => p.parameter.numel());

    /// <summary>
    /// What makes two models exchangeable in a federated job: the spec (layers, shapes, input) and the parameter
    /// names and shapes, hashed (SHA-256, hex). Equal fingerprints mean a weight vector of one loads into the other.
    /// </summary>
    public static string Fingerprint(Model model)
    {
        var text = new StringBuilder(model.ToSpec().ToJson());
        foreach (var (name, parameter) in model.Network.named_parameters())
            text.Append('|').Append(name).Append(':').Append(string.Join('x', parameter.shape));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
