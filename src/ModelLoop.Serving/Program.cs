namespace ModelLoop.Serving;

/// <summary>
/// <c>dotnet run --project src/ModelLoop.Serving -- --Serving:ModelsPath=runs --Serving:AdminKey=…</c>;
/// also the entry point WebApplicationFactory starts in tests.
/// </summary>
public sealed class Program
{
    public static void Main(string[] args) => ServingApp.Build(args).Run();
}
