using ModelLoop.Privacy;

namespace ModelLoop.Privacy.Tests;

public class PrivacyAssemblyTests
{
    [Fact]
    public void The_assembly_name_matches_the_loaded_assembly()
    {
        Assert.Equal(PrivacyAssembly.Name, typeof(PrivacyAssembly).Assembly.GetName().Name);
    }
}
