import { addStrings } from '../i18n.js';
addStrings('en', { 'issues.title': 'Issues' });
addStrings('ru', { 'issues.title': 'Вопросы' });
export default { id: 'issues', titleKey: 'issues.title', async render() {} };
