namespace ModelLoop.Serving;

/// <summary>
/// <c>Serving__AdminKey=… dotnet run --project src/ModelLoop.Serving -- --Serving:ModelsPath=runs</c> (the admin key in
/// the environment: on the command line it would show in the process list); also the entry point
/// WebApplicationFactory starts in tests.
/// </summary>
public sealed class Program
{
    public static void Main(string[] args) => ServingApp.Build(args).Run();
}
