/*
 * Grid helpers the column definitions name (no code is compiled in the browser).
 *
 * Grid cells that hold codes show their words: a column definition carries its labels in
 * refData (from tracker.vocabulary), and these formatters read them, keeping any code without
 * a label as it is (AG Grid's own refData display would show such a cell blank). The row data
 * keeps the codes, so callbacks and downloads still see "care_home", people read "Care home".
 */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

dagfuncs.trackerWord = function (params) {
  var words = params.colDef.refData || {};
  return Object.prototype.hasOwnProperty.call(words, params.value) ? words[params.value] : params.value;
};

dagfuncs.trackerWordToFilter = function (params) {
  var words = params.colDef.refData || {};
  var value = params.data ? params.data[params.colDef.field] : null;
  return Object.prototype.hasOwnProperty.call(words, value) ? words[value] : value;
};

/* An editable count outside its range says why, in place (the cell is also drawn in red). */
dagfuncs.trackerOutOfRange = function (params, low, high) {
  var v = params.value;
  if (v === null || v === undefined || v === "") {
    return "Empty: type a whole number from " + low + " to " + high + ".";
  }
  var n = Number(v);
  if (!Number.isInteger(n) || n < low || n > high) {
    return v + " is not allowed: type a whole number from " + low + " to " + high + ".";
  }
  return null;
};

/* The cell itself says it: "-3 · only 0 to 500" until it is corrected. */
dagfuncs.trackerCount = function (params, low, high) {
  return dagfuncs.trackerOutOfRange(params, low, high) === null
    ? params.value
    : (params.value === null || params.value === undefined || params.value === "" ? "empty" : params.value) +
        " · only " + low + " to " + high;
};

/* Pounds (£12,345) and placement weeks (1,234.5) where shown; a hidden figure keeps its
 * marker ("*"), an empty cell reads "–". Downloads keep the numbers. */
dagfuncs.trackerNumber = function (params, prefix, decimals) {
  var v = params.value;
  if (typeof v !== "number") {
    return v === null || v === undefined ? "–" : v;
  }
  return prefix + v.toLocaleString("en-GB", {
    minimumFractionDigits: decimals, maximumFractionDigits: decimals,
  });
};

/* A content-sized grid in a tab measures its columns again when the tab is shown: its box
 * goes from no width to some (components/grids.py, gridSizeChanged). A grid made inside a
 * hidden tab may report no size until it is shown, so its first size counts as shown too. */
dagfuncs.trackerFitWhenShown = function (params) {
  var before = params.api.__trackerWidth;
  params.api.__trackerWidth = params.clientWidth;
  if (!before && params.clientWidth > 0) {
    window.requestAnimationFrame(function () {
      if (!params.api.isDestroyed()) params.api.autoSizeAllColumns();
    });
  }
};
