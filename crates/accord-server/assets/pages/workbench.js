import { addStrings } from '../i18n.js';
addStrings('en', { 'wb.title': 'Workbench' });
addStrings('ru', { 'wb.title': 'Верстак' });
export default { id: 'workbench', titleKey: 'wb.title', async render() {} };
