/* Pickers (the admin's autocomplete fields) never choose among the results of an earlier search.
 *
 * While the answer to what was just typed has not come back, the list still shows the last
 * search's results, first one highlighted; Enter then chose that stale result (and saved the
 * wrong document). Here Enter waits: it is held until the answer arrives, then chooses the
 * highlighted result of the new list. A click chooses what it points at, as before.
 */
'use strict';
{
    const $ = django.jQuery;
    const AUTOCOMPLETE = '/autocomplete/';
    let pending = 0;          // autocomplete requests sent and not answered
    let typedSince = false;   // typed since the last answer came back
    let heldEnter = null;     // the select whose Enter waits for the answer

    const stale = () => pending > 0 || typedSince;

    $(document).on('input', '.select2-search__field', () => { typedSince = true; });
    $(document).ajaxSend((event, xhr, settings) => {
        if (settings.url.includes(AUTOCOMPLETE)) { pending += 1; typedSince = false; }
    });
    $(document).ajaxComplete((event, xhr, settings) => {
        if (!settings.url.includes(AUTOCOMPLETE)) { return; }
        pending = Math.max(0, pending - 1);
        if (heldEnter && !stale()) {
            const select = heldEnter;
            heldEnter = null;
            // select2 draws the new results in a then() callback of the request, which jQuery
            // runs on a timer queued before this one: choose the highlighted result after it,
            // as Enter would.
            window.setTimeout(() => $(select).data('select2').trigger('results:select', {}), 0);
        }
    });
    $(document).on('select2:selecting', '.admin-autocomplete', function (event) {
        const byPointer = event.params && event.params.args && event.params.args.originalEvent;
        if (!byPointer && stale()) {
            event.preventDefault();
            heldEnter = this;
        }
    });
    $(document).on('select2:closing', '.admin-autocomplete', function () {
        if (heldEnter === this) { heldEnter = null; }  // closed by the person: nothing waits
    });
}
