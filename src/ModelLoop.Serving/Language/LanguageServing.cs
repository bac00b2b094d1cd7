using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelLoop.Serving.Language;

/// <summary>
/// The language-model services of the server (<see cref="ServingApp.AddModelServing"/> calls <see cref="AddLanguageServing"/>):
/// <see cref="LanguageServingOptions"/> from Serving:Language, the catalog — an <see cref="ILanguageModelCatalog"/>
/// registered before, else a <see cref="LanguageModelFolderCatalog"/> on Serving:Language:ModelsPath, else none — the
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
            var catalog = sp.GetService<ILanguageModelCatalog>() ?? (options.Value.ModelsPath is { } path ? new LanguageModelFolderCatalog(path) : null);
            return new LanguageModelHost(options, sp.GetRequiredService<ILogger<LanguageModelHost>>(), catalog);
        });
        services.AddSingleton<TokenLimits>();
        return services;
    }
}
