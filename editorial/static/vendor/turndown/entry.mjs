import TurndownService from "turndown";
window.TurndownService = TurndownService;
