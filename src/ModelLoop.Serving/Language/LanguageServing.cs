using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelLoop.Serving.Language;

/// <summary>
/// The language-model services of the server (<see cref="ServingApp.AddModelServing"/> calls <see cref="AddLanguageServing"/>):
/// <see cref="LanguageServingOptions"/> from Serving:Language, the catalog — an <see cref="ILanguageModelCatalog"/>
/// registered before, else a <see cref="LanguageModelFolderCatalog"/> on Serving:Language:ModelsPath and/or a
/// <see cref="RegistryLanguageModelCatalog"/> on Serving:Language:RegistryHome (or Serving:RegistryHome), else none — the
/// host that loads versions with their schedulers, and the tenants' token limits.
/// </summary>
public static class LanguageServing
{
    public static IServiceCollection AddLanguageServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LanguageServingOptions>().Bind(configuration.GetSection(LanguageServingOptions.Section));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LanguageServingOptions>>();
            var catalog = sp.GetService<ILanguageModelCatalog>() ?? DefaultCatalog(options.Value, sp.GetRequiredService<IOptions<ServingOptions>>().Value);
            return new LanguageModelHost(options, sp.GetRequiredService<ILogger<LanguageModelHost>>(), catalog);
        });
        services.AddSingleton<TokenLimits>();
        return services;
    }

    // The folder of Serving:Language:ModelsPath, then the registry of Serving:Language:RegistryHome (else Serving:RegistryHome).
    private static ILanguageModelCatalog? DefaultCatalog(LanguageServingOptions options, ServingOptions serving)
    {
        var catalogs = new List<ILanguageModelCatalog>();
        if (options.ModelsPath is { } path)
            catalogs.Add(new LanguageModelFolderCatalog(path));
        if ((options.RegistryHome ?? serving.RegistryHome) is { } home)
            catalogs.Add(new RegistryLanguageModelCatalog(new Registry.ModelRegistry(home), serving.Verification));
        return catalogs.Count switch
        {
            0 => null,
            1 => catalogs[0],
            _ => new CombinedLanguageModelCatalog(catalogs),
        };
    }
}
