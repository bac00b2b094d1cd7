using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>Element-wise activation functions a layer can apply to its output.</summary>
public enum Activation
{
    None,
    Relu,
    Sigmoid,
    Tanh,
    Gelu,
    Silu,
    LeakyRelu,
    Elu,
    /// <summary>Softmax over the last dimension. Prefer <c>None</c> with cross-entropy loss, which applies it internally.</summary>
    Softmax,
}

internal static class ActivationModules
{
    public static nn.Module<Tensor, Tensor>? Create(Activation activation) => activation switch
    {
        Activation.None => null,
        Activation.Relu => nn.ReLU(),
        Activation.Sigmoid => nn.Sigmoid(),
        Activation.Tanh => nn.Tanh(),
        Activation.Gelu => nn.GELU(),
        Activation.Silu => nn.SiLU(),
        Activation.LeakyRelu => nn.LeakyReLU(0.01),
        Activation.Elu => nn.ELU(),
        Activation.Softmax => nn.Softmax(-1),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, $"Unknown activation '{activation}'. Expected one of: {string.Join(", ", Enum.GetNames<Activation>())}."),
    };

    /// <summary>The module followed by the activation, or the module alone when there is none.</summary>
    public static nn.Module<Tensor, Tensor> Then(nn.Module<Tensor, Tensor> module, Activation activation) =>
        Create(activation) is { } act ? nn.Sequential(("op", module), ("activation", act)) : module;
}
