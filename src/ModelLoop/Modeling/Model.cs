using System.Globalization;
using System.Text;
using ModelLoop.Data;
using ModelLoop.Modeling.Layers;
using ModelLoop.Native;
using ModelLoop.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>
/// What every model has, whatever its topology: an input shape, a TorchSharp network built on first use
/// with shape inference, a Keras-style summary, Compile/Fit/Evaluate/Predict, weights and a spec. Build a
/// stack with <see cref="Sequential"/>, a graph with skip connections with <see cref="FunctionalModel"/>.
/// Example (Sequential):
/// <code>
/// var model = new Sequential(1, 28, 28)
/// {
///     new Conv2D(32, 3, Activation.Relu),
///     new MaxPool2D(2),
///     new Flatten(),
///     new Dense(128, Activation.Relu),
///     new Dense(10),
/// };
/// model.Summary();
/// model.Compile(OptimizerOptions.Adam(), Loss.CrossEntropy(), ["accuracy"]);
/// var history = model.Fit(train, new FitOptions { Epochs = 5, BatchSize = 64 }, validation: test);
/// </code>
/// The TorchSharp module is built on first use; the architecture cannot change after that.
/// </summary>
public abstract class Model : IDisposable
{
    private nn.Module<Tensor, Tensor>? _network;
    private IReadOnlyList<LayerSummary>? _rows;
    private Shape? _outputShape;
    private Device _device = CPU;

    protected Model(Shape inputShape, InputKind inputKind)
    {
        InputShape = inputShape ?? throw new ArgumentNullException(nameof(inputShape));
        InputKind = inputKind;
    }

    /// <summary>Builds the model a spec describes: a <see cref="FunctionalModel"/> when it has a graph, else a <see cref="Sequential"/>.</summary>
    public static Model FromSpec(ModelSpec spec) =>
        spec.Graph is { Count: > 0 } ? FunctionalModel.FromSpec(spec) : Sequential.FromSpec(spec);

    public Shape InputShape { get; }
    public InputKind InputKind { get; }

    /// <summary>The per-sample shape the model outputs (builds the model if needed).</summary>
    public Shape OutputShape
    {
        get
        {
            EnsureBuilt();
            return _outputShape!;
        }
    }

    /// <summary>The TorchSharp module (built on first access). Parameter names are "layerName.weight" etc.</summary>
    public nn.Module<Tensor, Tensor> Network
    {
        get
        {
            EnsureBuilt();
            return _network!;
        }
    }

    /// <summary>Where the parameters live. Set with <see cref="To"/>.</summary>
    public Device Device => _device;

    /// <summary>What <see cref="Compile"/> set; null before.</summary>
    public CompileOptions? Compiled { get; private set; }

    /// <summary>The spec that rebuilds this architecture.</summary>
    public abstract ModelSpec ToSpec();

    /// <summary>True once the network exists; the architecture is fixed from then on.</summary>
    protected bool IsBuilt => _network is not null;

    /// <summary>Creates the network with shape inference; called once, on first use.</summary>
    private protected abstract (nn.Module<Tensor, Tensor> Module, Shape Output, IReadOnlyList<LayerSummary> Rows) BuildNetwork();

    /// <summary>Total number of parameters (trainable and not), as in the summary.</summary>
    public long ParameterCount
    {
        get
        {
            EnsureBuilt();
            return _rows!.Sum(r => r.Parameters);
        }
    }

    /// <summary>Rows of the summary: each layer, its output shape and parameter count.</summary>
    public IReadOnlyList<LayerSummary> LayerSummaries
    {
        get
        {
            EnsureBuilt();
            return _rows!;
        }
    }

    /// <summary>Writes a Keras-style table of layers, output shapes and parameter counts, and returns it.</summary>
    public string Summary(TextWriter? writer = null)
    {
        EnsureBuilt();
        var text = new StringBuilder();
        var nameWidth = Math.Max(28, _rows!.Max(r => r.Name.Length + r.Type.Length + 3) + 2);
        var line = new string('─', nameWidth + 40);
        text.AppendLine(line);
        text.AppendLine($"{"Layer (type)".PadRight(nameWidth)}{"Output Shape".PadRight(26)}{"Param #",14}");
        text.AppendLine(new string('═', nameWidth + 40));
        text.AppendLine($"{"input".PadRight(nameWidth)}{("(None, " + string.Join(", ", InputShape.Dims) + ")").PadRight(26)}{0.ToString("N0", CultureInfo.InvariantCulture),14}");
        foreach (var row in _rows!)
            text.AppendLine($"{$"{row.Name} ({row.Type})".PadRight(nameWidth)}{("(None, " + string.Join(", ", row.OutputShape.Dims) + ")").PadRight(26)}{row.Parameters.ToString("N0", CultureInfo.InvariantCulture),14}");
        text.AppendLine(new string('═', nameWidth + 40));
        var trainable = Network.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        text.AppendLine($"Total params: {ParameterCount.ToString("N0", CultureInfo.InvariantCulture)}");
        text.AppendLine($"Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)}");
        text.AppendLine($"Non-trainable params: {(ParameterCount - trainable).ToString("N0", CultureInfo.InvariantCulture)}");
        text.AppendLine(line);
        var result = text.ToString();
        (writer ?? Console.Out).Write(result);
        return result;
    }

    /// <summary>Moves the parameters to a device.</summary>
    public Model To(ComputeDevice device)
    {
        _device = TorchRuntime.Resolve(device);
        Network.to(_device);
        return this;
    }

    /// <summary>Sets the optimizer, loss and metrics used by <see cref="Fit"/> and <see cref="Evaluate"/>.</summary>
    /// <param name="optimizer">An <see cref="OptimizerOptions"/> or a name: "sgd", "adam", "adamw", "rmsprop".</param>
    /// <param name="loss">A <see cref="Loss"/> or a name: "cross_entropy", "binary_cross_entropy", "mse".</param>
    /// <param name="metrics">Metric names ("accuracy", "binary_accuracy", "mae", "mse") or objects.</param>
    public void Compile(OptimizerOptions optimizer, Loss loss, IEnumerable<MetricSpec>? metrics = null, CompileOptions? options = null)
    {
        Compiled = (options ?? new CompileOptions()) with
        {
            Optimizer = optimizer,
            Loss = loss,
            Metrics = metrics?.ToArray() ?? [],
        };
    }

    /// <summary>Trains the model; see <see cref="Trainer"/>. Call <see cref="Compile"/> first.</summary>
    /// <exception cref="InvalidOperationException">The model is an <see cref="InferenceOnlyModel"/> (nothing in it can train).</exception>
    public History Fit(TensorDataset train, FitOptions? options = null, TensorDataset? validation = null, IEnumerable<Callback>? callbacks = null) =>
        this is InferenceOnlyModel inference
            ? throw new InvalidOperationException($"This model runs in {inference.Runtime} for inference only and has no trainable parameters. Train or fine-tune the model it was made from (its package's lineage names the parent) and optimize that again.")
            : new Trainer(this).Fit(train, options ?? new FitOptions(), validation, callbacks);

    /// <summary>Loss and metrics over a dataset, in evaluation mode.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(TensorDataset data, int batchSize = 256) =>
        new Trainer(this).Evaluate(data, batchSize);

    /// <summary>Model outputs for the inputs (raw: logits for classifiers), batch by batch, in evaluation mode.</summary>
    public Tensor Predict(Tensor inputs, int batchSize = 256) => new Trainer(this).Predict(inputs, batchSize);

    /// <summary>
    /// One forward pass (in the module's current mode, with the caller's grad setting) that also returns the
    /// penultimate representation: the input of the last layer that has parameters (the classifier head),
    /// flattened to (N, D). Drift monitoring compares these embeddings between reference and live traffic.
    /// </summary>
    public (Tensor Outputs, Tensor Embedding) ForwardWithEmbedding(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        switch (Network)
        {
            case IForwardWithEmbedding external:
                return external.ForwardWithEmbedding(input);
            case GraphModule graph:
                return graph.ForwardWithEmbedding(input);
            case TorchSharp.Modules.Sequential sequence:
            {
                var children = sequence.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
                var head = children.FindLastIndex(c => c.parameters().Any());
                if (head < 0)
                    throw new InvalidOperationException("The model has no layer with parameters, so it has no penultimate representation.");
                var x = input;
                for (var i = 0; i < children.Count; i++)
                {
                    if (i == head)
                    {
                        var embedding = x.flatten(1);
                        var outputs = children[i].forward(x);
                        x = outputs;
                        for (var j = i + 1; j < children.Count; j++)
                        {
                            var next = children[j].forward(x);
                            if (!ReferenceEquals(x, outputs)) x.Dispose();
                            x = next;
                        }
                        return (x, embedding);
                    }
                    var y = children[i].forward(x);
                    if (!ReferenceEquals(x, input)) x.Dispose();
                    x = y;
                }
                throw new InvalidOperationException("unreachable");
            }
            default:
                throw new NotSupportedException($"ForwardWithEmbedding does not know networks of type {Network.GetType().Name}.");
        }
    }

    /// <summary>Saves the weights (TorchSharp format) atomically.</summary>
    public void SaveWeights(string path) =>
        IO.AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            Network.save(writer);
        });

    /// <summary>Loads weights saved by <see cref="SaveWeights"/> from a model of the same architecture.</summary>
    public void LoadWeights(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            Network.load(reader, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException)
        {
            throw new InvalidDataException($"Weights file '{path}' does not fit this model ({ParameterCount:N0} parameters, input {InputShape}): {e.Message} Load it into the model it was saved from.", e);
        }
    }

    public void Dispose() => _network?.Dispose();

    private void EnsureBuilt()
    {
        if (_network is not null)
            return;
        TorchRuntime.EnsureLoaded();
        var (module, output, rows) = BuildNetwork();
        _network = module;
        _outputShape = output;
        _rows = rows;
    }

    /// <summary>Checks that token-id models start with a layer that reads token ids (Embedding, Gpt) and only they do.</summary>
    private protected void CheckInputKind(Layer first)
    {
        var startsWithEmbedding = first.TakesTokenIds;
        if (startsWithEmbedding != (InputKind == InputKind.TokenIds))
            throw new ModelBuildException(startsWithEmbedding
                ? $"The first layer is {(first is Embedding ? "an Embedding" : $"a {first.GetType().Name}")}, which takes integer token ids, but the model's input kind is {InputKind}. Create the model with InputKind.TokenIds and the sequence length as input shape."
                : $"The model's input kind is TokenIds but its first layer is {first.GetType().Name}; token ids must go through an Embedding first. Start with new Embedding(vocabularySize, dimensions), or use InputKind.Float.");
    }
}
