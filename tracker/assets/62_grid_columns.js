/*
 * The column chooser of a wide grid (tracker/components/column_chooser.py): show the ticked
 * columns, hide the rest, through the grid's own API. Runs in the browser only, so hiding a
 * column changes no row data and no download. Returns the chooser's closed line.
 */
window.dash_clientside = window.dash_clientside || {};

/*
 * A grid sized to its contents measures its columns once, on the first rows it draws
 * (AG Grid's autoSizeStrategy); rows that arrive later from a callback (a filter, a save)
 * could hold longer text and be cut to "…". So it measures again whenever its rows change,
 * once they are drawn. Columns that wrap sentences keep their width (suppressAutoSize).
 */
function fitColumns(api) {
  window.requestAnimationFrame(function () {
    if (!api.isDestroyed()) api.autoSizeAllColumns();
  });
}
var trackerGridFunctions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
trackerGridFunctions.trackerFitColumns = function (params) { fitColumns(params.api); };

window.dash_clientside.trackerGrid = {
  showColumns: function (shown, options, id) {
    var ticked = shown || [];
    var fields = (options || []).map(function (o) { return o.value; });
    var pinned = (options || []).filter(function (o) { return o.disabled; }).map(function (o) { return o.value; });
    var visible = fields.filter(function (f) { return ticked.indexOf(f) >= 0 || pinned.indexOf(f) >= 0; });
    var hidden = fields.filter(function (f) { return visible.indexOf(f) < 0; });
    if (window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
      window.dash_ag_grid.getApiAsync(id.grid).then(function (api) {
        api.setColumnsVisible(visible, true);
        api.setColumnsVisible(hidden, false);
        fitColumns(api); // a column shown again was never measured while hidden
      }).catch(function () { /* the grid left the page before it was ready */ });
    }
    return visible.length >= fields.length
      ? "Columns: all " + fields.length + " shown"
      : "Columns: " + visible.length + " of " + fields.length + " shown";
  },
};
