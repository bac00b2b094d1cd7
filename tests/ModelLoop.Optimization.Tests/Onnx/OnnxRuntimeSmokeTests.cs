using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace ModelLoop.Optimization.Tests.Onnx;

/// <summary>The generated onnx.proto classes write a graph that ONNX Runtime loads and runs on this machine.</summary>
public sealed class OnnxRuntimeSmokeTests
{
    [Fact]
    public void A_relu_graph_written_with_the_generated_classes_runs_in_onnx_runtime()
    {
        var graph = new GraphProto { Name = "relu" };
        graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "x" }, Output = { "y" } });
        graph.Input.Add(Value("x"));
        graph.Output.Add(Value("y"));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "ModelLoop" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });

        using var session = new InferenceSession(model.ToByteArray());
        var input = new DenseTensor<float>(new[] { -1f, 0f, 2f }, [1, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", input)]);
        Assert.Equal(new[] { 0f, 0f, 2f }, results.Single().AsEnumerable<float>().ToArray());
    }

    private static ValueInfoProto Value(string name)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 3 });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
