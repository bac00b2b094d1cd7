using ModelLoop.Data;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Training;
using static TorchSharp.torch;

ModelLoop.Native.TorchRuntime.EnsureLoaded();
random.manual_seed(1);
var x = randn(2048, 1, 28, 28);
var y = (x.mean([1, 2, 3]) > 0).to(ScalarType.Int64);
var data = new TensorDataset(x, y);
var model = new Sequential(1, 28, 28)
{
    new Conv2D(32, 3, Activation.Relu),
    new MaxPool2D(2),
    new BatchNorm(),
    new Residual([new Conv2D(32, 3, Activation.Relu, Padding: Padding.Same), new Conv2D(64, 3, Padding: Padding.Same, Stride: 2)]),
    new Flatten(),
    new Dense(128, Activation.Relu),
    new Dropout(0.2),
    new Dense(2),
};
model.Summary();
model.Compile("adam", "cross_entropy", ["accuracy"]);
var h = model.Fit(data, new FitOptions { Epochs = 2, BatchSize = 64, Seed = 1, Schedule = LearningRateSchedule.OneCycle() }, validation: data);
Console.WriteLine(model.Evaluate(data)["accuracy"]);
model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 64, Seed = 1, Precision = Precision.BFloat16 }, validation: data);
Console.WriteLine(model.ToSpec().ToYaml());
