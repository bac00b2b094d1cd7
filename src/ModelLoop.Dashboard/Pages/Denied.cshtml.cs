using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ModelLoop.Dashboard.Pages;

/// <summary>/ui/denied: where a tenant lands on an operator's page (403).</summary>
public sealed class DeniedModel : PageModel
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
